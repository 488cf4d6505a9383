"""Actions on many items of the register at once: transfer them (one handover record) or re-grade them.

Two steps, no script needed: the register posts the ticked items and the chosen action here, which
shows them with the action's form (for a transfer, the giving unit and its next record number); the
form posted back with `confirm` applies it. All or nothing: every item goes through its ledger service
inside one transaction, and the first refusal rolls back everything with a message naming the item
and the field.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from materiel.accounts.scoping import PermissionDenied
from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal
from materiel.documents.services import about_item, giving_unit, hand_over, item_subject
from materiel.equipment.models import Item, Lot
from materiel.ledger import services

from .forms import BULK_ACTIONS, bulk_actions, bulk_form
from .views import forbidden

# One action may touch at most this many items: a page of the register is 50.
BULK_LIMIT = 500


def selected_items(request) -> list[Item]:
    """The ticked items, all inside the user's scope (404 if any is not: no hint of what exists)."""
    ids = _ids(request.POST.getlist("items"))
    found = Item.objects.visible_to(request.user).select_related("equipment_type", "unit").filter(pk__in=ids)
    items = sorted(found, key=lambda i: (i.equipment_type.name, i.serial))
    if len(items) != len(ids):
        raise Http404(_("Không tìm thấy trang bị."))
    return items


def _ids(values) -> set:
    """Ticked ids; one that cannot be an id (beyond 64 bits: OverflowError in the query) is kept as
    a marker that can never match, so the caller answers 404 as for any id outside the scope."""
    return {bounds.parse_id(value) or -1 for value in values if value.strip().isdigit()}


def selected_lots(request) -> list[tuple[Lot, object]]:
    """The ticked lots with the quantity to hand over: as typed on the confirmation page (Vietnamese
    notation, "1.000"), else the whole lot. 404 if any lot is outside the user's scope."""
    ids = _ids(request.POST.getlist("lots"))
    found = Lot.objects.visible_to(request.user).select_related("equipment_type", "unit").filter(pk__in=ids)
    lots = sorted(found, key=lambda lot: (lot.equipment_type.name, lot.lot_number, lot.grade))
    if len(lots) != len(ids):
        raise Http404(_("Không tìm thấy lô."))
    chosen = []
    for lot in lots:
        typed = request.POST.get(f"quantity-{lot.pk}")
        number = parse_decimal(typed) if typed is not None else lot.quantity
        # Anything but a whole number goes to the ledger as typed, which refuses it naming the lot.
        chosen.append((lot, int(number) if number is not None and number == int(number) else typed))
    return chosen


@transaction.atomic
def change_grades(items, *, grade, reason: str, document_number: str, occurred_on, actor) -> int:
    if not (reason or "").strip():
        raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
    many = services.ManyItems(items, actor=actor)  # one batch: hundreds of items, one insert
    for item in many.items:
        try:
            many.grade_change(
                item, grade=grade, reason=reason, document_number=document_number, occurred_on=occurred_on
            )
        except DomainError as error:
            raise about_item(error, item_subject(item)) from None
    many.save()
    return len(items)


def _apply(action: str, items, lots, form, actor):
    """Run the action; the success message and where to go next."""
    data = form.cleaned_data
    if action == "transfer":
        record = hand_over(items=items, lots=lots, to_unit=data["to_unit"], parties=form.parties(), actor=actor)
        if items and lots:
            done = _("Đã điều chuyển %(items)s trang bị và %(lots)s lô, biên bản số %(number)s.")
        elif lots:
            done = _("Đã điều chuyển %(lots)s lô, biên bản số %(number)s.")
        else:
            done = _("Đã điều chuyển %(items)s trang bị, biên bản số %(number)s.")
        done = done % {"items": len(items), "lots": len(lots), "number": record.number}
        return done, reverse("web:handover", args=[record.pk])
    count = change_grades(
        items,
        grade=data["grade"],
        reason=data["reason"],
        document_number=data["document_number"],
        occurred_on=data["occurred_on"],
        actor=actor,
    )
    return _("Đã phân cấp lại %(n)s trang bị.") % {"n": count}, None


@require_http_methods(["GET", "POST"])
def register_bulk(request):
    back = reverse("web:register") + "?" + request.GET.urlencode()
    if request.method == "GET":  # a bookmarked or reloaded step: back to the register it came from
        return redirect(back)
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        return redirect(back)
    if action not in bulk_actions(request.user):
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    items = selected_items(request)
    # Lots are handed over, never re-graded here (a lot regrade splits quantities: the lot page's job).
    lots = selected_lots(request) if action == "transfer" else []
    count = len(items) + len(lots)
    if not count or count > BULK_LIMIT:
        messages.error(
            request,
            _("Chưa chọn trang bị nào.")
            if not count
            else _("Mỗi lần chỉ thao tác tối đa %(n)s trang bị.") % {"n": BULK_LIMIT},
        )
        return redirect(back)
    giving, problem = None, None
    if action == "transfer":
        try:
            giving = giving_unit(items, lots)
        except DomainError as error:
            problem = error.message
    confirming = "confirm" in request.POST
    form = bulk_form(action, request.user, request.POST if confirming else None, giving_unit=giving)
    if confirming and problem is None and form.is_valid():
        try:
            done, next_url = _apply(action, items, lots, form, request.user)
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return redirect(next_url or back)
    context = {
        "action": action,
        "items": items,
        "lots": lots,
        "count": count,
        "form": form,
        "giving": giving,
        "problem": problem,
        "back": back,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/bulk.html", context, status=422 if confirming else 200)
