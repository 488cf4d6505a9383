"""Disposal pages: the proposals of a subtree, a new one, its page (its list, what to add, the
suggestions, its moves and the decision), and its A4 print with the list."""

from collections import Counter
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item

from . import services
from .models import Ground, Proposal, State

# A proposal's page lists what it holds in full; the suggestions this many at most.
SUGGESTIONS = 200


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def proposals(request):
    """Đề nghị thanh lý: the proposals of the subtree, newest first, each with how many items."""
    scope = page_scope(request)
    state = request.GET.get("state", "")
    rows = services.proposals_of(request.user, scope.unit).annotate(count=Count("lines"))
    if state in State.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "disposal/list.html",
        {
            "scope": scope,
            "proposals": rows[:500],
            "states": State.choices,
            "state": state,
            "can_propose": allowed(request.user, "disposal.propose") and can_see_unit(request.user, scope.unit),
        },
    )


def _next_number(unit, year: int) -> str:
    count = Proposal.objects.filter(unit=unit, proposed_on__year=year).count()
    return f"{count + 1}/TTr-TL"


def proposal_create(request):
    scope = page_scope(request)
    if not allowed(request.user, "disposal.propose"):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))
    today = timezone.localdate()
    values = {
        "number": request.POST.get("number", _next_number(scope.unit, today.year)),
        "title": request.POST.get("title", _("Đề nghị loại khỏi biên chế, thanh lý trang bị")),
        "proposed_on": request.POST.get("proposed_on", today.strftime("%d/%m/%Y")),
    }
    error = None
    if request.method == "POST":
        day = parse_day(values["proposed_on"])
        try:
            if day is None:
                raise DomainError(_("Ngày đề nghị phải có dạng dd/mm/yyyy."), field="proposed_on")
            proposal = services.create_proposal(
                actor=request.user, unit=scope.unit, number=values["number"], title=values["title"], proposed_on=day
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("Đã lập đề nghị %(number)s.") % {"number": proposal.number})
            return redirect("disposal:detail", pk=proposal.pk)
    return render(
        request,
        "disposal/create.html",
        {"scope": scope, "values": values, "error": error},
        status=422 if error else 200,
    )


def _proposal_of(request, pk) -> Proposal:
    return get_object_or_404(services.visible_proposals(request.user), pk=pk)


def _lines(proposal: Proposal):
    return proposal.lines.select_related("item__equipment_type", "item__unit", "ground").order_by(
        "item__equipment_type__name", "item__serial"
    )


def _context(request, proposal: Proposal) -> dict:
    lines = list(_lines(proposal))
    editable = services.can_edit(request.user, proposal)
    suggested = services.suggestions(request.user, proposal.unit, limit=SUGGESTIONS) if editable else []
    # All of them counted only when the list is cut: "200 of N" says that more are waiting.
    total = services.suggested(request.user, proposal.unit).count() if len(suggested) == SUGGESTIONS else len(suggested)
    return {
        "proposal": proposal,
        "lines": lines,
        "by_ground": sorted(Counter(line.ground.name for line in lines).items()),
        "grounds": Ground.objects.all(),
        "steps": proposal.steps.select_related("by").order_by("id"),
        "editable": editable,
        "suggested": suggested,
        "suggested_total": total,
        "may_decide": services.may_decide(request.user, proposal),
        "events": proposal.event_lines.select_related("event__item").order_by("position"),
        "today": timezone.localdate(),
    }


def _ground(request) -> Ground:
    ground = Ground.objects.filter(pk=request.POST.get("ground") or 0).first()
    if ground is None:
        raise DomainError(_("Chưa chọn căn cứ."), field="ground")
    return ground


def _decision_day(request) -> date:
    day = parse_day(request.POST.get("decided_on"))
    if day is None:
        raise DomainError(_("Ngày quyết định phải có dạng dd/mm/yyyy."), field="decided_on")
    return day


def _do(request, proposal: Proposal, action: str) -> str:
    """Run the posted action; the message to show once it is done."""
    user, version = request.user, _version(request)
    if action == "add":
        serials = (request.POST.get("serials") or "").replace(",", "\n").splitlines()
        items = services.items_by_serials(user, proposal, serials)
        ground = _ground(request)
        note = request.POST.get("note", "")
        services.add_lines(proposal, [services.Wanted(i, ground, note) for i in items], actor=user, version=version)
        return _("Đã thêm %(n)s trang bị vào đề nghị.") % {"n": len(items)}
    if action == "add_suggested":
        ids = [int(v) for v in request.POST.getlist("item") if v.isdigit() and len(v) < 12]
        items = list(Item.objects.visible_to(user).filter(pk__in=ids).select_related("equipment_type", "unit"))
        ground = _ground(request)
        services.add_lines(proposal, [services.Wanted(i, ground) for i in items], actor=user, version=version)
        return _("Đã thêm %(n)s trang bị vào đề nghị.") % {"n": len(items)}
    if action == "remove":
        line = request.POST.get("line", "")
        services.remove_line(proposal, int(line) if line.isdigit() else 0, actor=user, version=version)
        return _("Đã bỏ một trang bị khỏi đề nghị.")
    if action == "submit":
        services.submit(proposal, actor=user, version=version)
        return _("Đã trình đề nghị %(number)s lên cấp trên.") % {"number": proposal.number}
    if action == "send_back":
        services.send_back(proposal, actor=user, reason=request.POST.get("reason", ""), version=version)
        return _("Đã trả lại đề nghị %(number)s.") % {"number": proposal.number}
    if action == "cancel":
        services.cancel(proposal, actor=user, reason=request.POST.get("reason", ""), version=version)
        return _("Đã hủy đề nghị %(number)s.") % {"number": proposal.number}
    if action == "decide":
        decided = services.decide(
            proposal,
            actor=user,
            decision_number=request.POST.get("decision_number", ""),
            decided_on=_decision_day(request),
            version=version,
        )
        return _("Đã ghi quyết định %(decision)s: %(n)s trang bị đã thanh lý.") % {
            "decision": decided.decision_number,
            "n": decided.lines.count(),
        }
    raise DomainError(_("Thao tác không hợp lệ."), field="action")


@object_view(Proposal)
def proposal(request, pk):
    """Its list by ground, the forms its state allows (the unit: add, remove, submit, cancel; the
    echelon above: send back, decide), its log and, once decided, the events the decision wrote."""
    found = _proposal_of(request, pk)
    if request.method == "POST":
        try:
            done = _do(request, found, request.POST.get("action", ""))
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            found.refresh_from_db()
            # What was typed and ticked comes back with the refusal (the posted ids as the page writes them).
            posted_items = [v for v in request.POST.getlist("item") if v.isdigit()]
            context = _context(request, found) | {
                "error": refusal,
                "posted": request.POST,
                "posted_items": posted_items,
            }
            return render(request, "disposal/detail.html", context, status=409 if refusal.code == "conflict" else 422)
        messages.success(request, done)
        return redirect("disposal:detail", pk=found.pk)
    return render(request, "disposal/detail.html", _context(request, found))


@object_view(Proposal)
def proposal_print(request, pk):
    """Tờ trình đề nghị loại khỏi biên chế, thanh lý, and its list, on A4."""
    found = _proposal_of(request, pk)
    lines = list(_lines(found))
    return render(
        request,
        "disposal/print.html",
        {
            "proposal": found,
            "lines": lines,
            "by_ground": sorted(Counter(line.ground.name for line in lines).items()),
            "letterhead": letterhead(found.unit, found.proposed_on),
            "signers": [
                (_("Người lập"), _("(Ký, ghi rõ họ tên)"), ""),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )
