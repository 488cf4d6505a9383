"""People pages: the staff list of a subtree (filters, A4 print, XLSX), a person's page (their
history and the forms to edit, move, certify and examine them), a new person, and the board of
certifications expiring or expired."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.page_scope import PageScope, page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, own_units, restrict
from materiel.core.bounds import parse_id
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.core.xlsx import Column, write_xlsx, xlsx_response
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item

from . import board, issuing, parsing, services
from .models import (
    Certification,
    CertificationKind,
    GatePolicy,
    Membership,
    Person,
    QualificationRule,
    SkillLevel,
    Specialty,
)

MAX_ROWS = 2000  # the list, its print and its export show at most this many people


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def may_manage(user, unit) -> bool:
    return allowed(user, "people.manage") and can_see_unit(user, unit)


def staff(user, scope: PageScope, params) -> QuerySet:
    """The people of the page's subtree on its day, with the list's filters: what the list, its print
    and its export show."""
    rows = Person.objects.visible_to(user, scope.day).on(scope.unit.path, scope.day)
    specialty, level = parse_id(params.get("specialty")), parse_id(params.get("level"))
    if specialty:
        rows = rows.filter(specialty_id=specialty)
    if level:
        rows = rows.filter(skill_level_id=level)
    text = (params.get("q") or "").strip()[:80]
    if text:
        rows = rows.filter(full_name__icontains=text)
    return rows.select_related("unit", "specialty", "skill_level").order_by("unit__path", "full_name", "id")


def with_units(rows, scope: PageScope) -> list[Person]:
    """The people with `shown_unit`: their unit on the page's day (today's for today), in one read."""
    people = list(rows)
    units = {p.pk: p.unit for p in people}
    if scope.day is not None:
        then = Membership.objects.on(scope.day).filter(person__in=[p.pk for p in people]).select_related("unit")
        units |= {m.person_id: m.unit for m in then}
    for p in people:
        p.shown_unit = units[p.pk]  # for the templates and the export
    return people


def _filters(params) -> dict[str, str]:
    return {k: params.get(k, "") for k in ("specialty", "level", "q")}


def _described(scope: PageScope, params) -> list[tuple[str, str]]:
    described = scope.described()
    specialty = Specialty.objects.filter(pk=parse_id(params.get("specialty")) or 0).first()
    level = SkillLevel.objects.filter(pk=parse_id(params.get("level")) or 0).first()
    if specialty:
        described.append((_("Chuyên ngành"), specialty.name))
    if level:
        described.append((_("Bậc thợ"), level.name))
    if params.get("q"):
        described.append((_("Tìm"), params.get("q", "")[:80]))
    return described


def people(request):
    """Cán bộ, nhân viên kỹ thuật: the people of the subtree on the day, filtered."""
    scope = page_scope(request)
    rows = staff(request.user, scope, request.GET)
    total = rows.count()
    query = urlencode({"unit": scope.unit.code, "on": scope.day_param, **_filters(request.GET)})
    return render(
        request,
        "people/list.html",
        {
            "scope": scope,
            "people": with_units(rows[:MAX_ROWS], scope),
            "total": total,
            "shown": min(total, MAX_ROWS),
            "specialties": Specialty.objects.all(),
            "levels": SkillLevel.objects.all(),
            "filters": _filters(request.GET),
            "query": query,
            "can_manage": may_manage(request.user, scope.unit),
        },
    )


def people_print(request):
    """Danh sách cán bộ, nhân viên kỹ thuật on A4."""
    scope = page_scope(request)
    rows = with_units(staff(request.user, scope, request.GET)[:MAX_ROWS], scope)
    return render(
        request,
        "people/print.html",
        {
            "scope": scope,
            "people": rows,
            "described": _described(scope, request.GET),
            "letterhead": letterhead(scope.unit, scope.day or timezone.localdate()),
            "signers": [
                (_("Người lập"), _("(Ký, ghi rõ họ tên)"), ""),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )


COLUMNS = [
    Column(_("STT"), 5, "int"),
    Column(_("Họ và tên"), 24),
    Column(_("Cấp bậc"), 12),
    Column(_("Chức vụ"), 18),
    Column(_("Đơn vị"), 28),
    Column(_("Chuyên ngành"), 14),
    Column(_("Bậc thợ"), 10),
    Column(_("Trình độ"), 14),
]


def people_export(request):
    scope = page_scope(request)
    rows = with_units(staff(request.user, scope, request.GET)[:MAX_ROWS], scope)
    output = write_xlsx(
        title=_("Danh sách cán bộ, nhân viên kỹ thuật"),
        filters=_described(scope, request.GET),
        columns=COLUMNS,
        rows=(
            [
                n,
                p.full_name,
                p.rank,
                p.position,
                scope.name_of(p.shown_unit),
                p.specialty.name,
                p.skill_level.name if p.skill_level else "",
                p.education,
            ]
            for n, p in enumerate(rows, start=1)
        ),
        sheet=_("Cán bộ kỹ thuật"),
    )
    return xlsx_response(output, f"can-bo-ky-thuat-{scope.unit.code}.xlsx")


def _user_named(actor, username: str) -> User | None:
    username = (username or "").strip()
    if not username:
        return None
    found = restrict(User.objects.all(), actor, "unit__path", grants=False).filter(username=username).first()
    if found is None:
        raise DomainError(_("Không tìm thấy tài khoản “%(user)s”.") % {"user": username[:150]}, field="user")
    return found


def _person_fields(request) -> dict:
    post = request.POST
    return {
        "full_name": post.get("full_name", ""),
        "rank": post.get("rank", ""),
        "position": post.get("position", ""),
        "education": post.get("education", ""),
        "specialty": parsing.pick(Specialty.objects.all(), post, "specialty", _("chuyên ngành")),
        "user": _user_named(request.user, post.get("user", "")),
    }


def person_create(request):
    scope = page_scope(request)
    if not allowed(request.user, "people.manage"):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))
    error = None
    if request.method == "POST":
        try:
            fields = _person_fields(request)
            unit = parsing.pick(own_units(request.user), request.POST, "unit", _("đơn vị"))
            person = services.create_person(
                actor=request.user,
                unit=unit,
                joined_on=parsing.required_day(request.POST, "joined_on", _("Ngày vào đơn vị")),
                skill_level=parsing.pick(
                    SkillLevel.objects.all(), request.POST, "skill_level", _("bậc thợ"), required=False
                ),
                document=request.POST.get("document", ""),
                **fields,
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("Đã thêm %(person)s.") % {"person": person.full_name})
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/create.html",
        {
            "scope": scope,
            "posted": request.POST,
            "error": error,
            "units": own_units(request.user).order_by("path")[:2000],
            "specialties": Specialty.objects.all(),
            "levels": SkillLevel.objects.all(),
            "today": timezone.localdate(),
        },
        status=422 if error else 200,
    )


def _person_of(request, pk) -> Person:
    return get_object_or_404(Person.objects.visible_to(request.user).select_related("unit", "specialty"), pk=pk)


def _do(request, person: Person, action: str) -> str:
    user, post = request.user, request.POST
    if action == "edit":
        services.update_person(person, actor=user, version=_version(request), **_person_fields(request))
        return _("Đã cập nhật hồ sơ.")
    if action == "move":
        to_unit = parsing.pick(own_units(user), post, "to_unit", _("đơn vị chuyển đến"))
        services.move_person(
            person,
            actor=user,
            to_unit=to_unit,
            moved_on=parsing.required_day(post, "moved_on", _("Ngày chuyển")),
            document=post.get("document", ""),
            version=_version(request),
        )
        return _("Đã chuyển %(person)s về %(unit)s.") % {"person": person.full_name, "unit": to_unit.name}
    if action == "membership":
        services.add_past_membership(
            person,
            actor=user,
            unit=parsing.pick(own_units(user), post, "unit", _("đơn vị")),
            valid_from=parsing.required_day(post, "valid_from", _("Ngày bắt đầu")),
            valid_to=parsing.required_day(post, "valid_to", _("Ngày kết thúc")),
            document=post.get("document", ""),
        )
        return _("Đã ghi quá trình công tác.")
    if action == "certify":
        services.certify(
            person,
            actor=user,
            kind=parsing.pick(CertificationKind.objects.all(), post, "kind", _("loại chứng chỉ")),
            issued_on=parsing.required_day(post, "issued_on", _("Ngày cấp")),
            expires_on=parsing.day(post, "expires_on", _("Ngày hết hạn"), required=False),
            number=post.get("number", ""),
            issued_by=post.get("issued_by", ""),
        )
        return _("Đã ghi chứng chỉ.")
    if action == "exam":
        services.record_exam(
            person,
            actor=user,
            level=parsing.pick(SkillLevel.objects.all(), post, "level", _("bậc thi")),
            held_on=parsing.required_day(post, "held_on", _("Ngày thi")),
            passed=post.get("passed") == "1",
            score=parsing.decimal(post, "score", _("Điểm")),
            decision=post.get("decision", ""),
        )
        return _("Đã ghi kết quả thi nâng bậc.")
    if action == "issue":
        serial = (post.get("serial") or "").strip()[:80]
        items = list(Item.objects.visible_to(user).filter(serial=serial).select_related("equipment_type", "unit")[:2])
        if len(items) != 1:
            message = (
                _("Không tìm thấy trang bị số hiệu “%(serial)s”.")
                if not items
                else _("Có nhiều trang bị số hiệu “%(serial)s” trong phạm vi của bạn: chưa chọn được trang bị nào.")
            )
            raise DomainError(message % {"serial": serial}, field="serial")
        issuing.issue_to_person(
            items[0],
            person=person,
            actor=user,
            occurred_on=parsing.required_day(post, "occurred_on", _("Ngày cấp phát")),
            reason=post.get("reason", ""),
        )
        return _("Đã cấp phát %(item)s cho %(person)s.") % {"item": serial, "person": person.full_name}
    raise DomainError(_("Thao tác không hợp lệ."), field="action")


def _context(request, person: Person) -> dict:
    today = timezone.localdate()
    manage = may_manage(request.user, person.unit)
    return {
        "person": person,
        "memberships": person.memberships.select_related("unit").order_by("-valid_from"),
        "steps": person.skill_steps.select_related("level", "exam").order_by("-valid_from"),
        "certifications": person.certifications.select_related("kind").order_by("-issued_on", "-id"),
        "participations": person.participations.select_related("course__kind").order_by("-course__starts_on"),
        "exams": person.exams.select_related("level").order_by("-held_on"),
        "entries": person.entries.select_related("contest__level").order_by("-contest__held_on"),
        "initiatives": person.initiatives.select_related("level").order_by("-recognised_on"),
        "issuances": person.issuances.filter(item__in=Item.objects.visible_to(request.user))
        .select_related("item__equipment_type")
        .order_by("-issued_on", "-id"),
        "today": today,
        "soon": today + timedelta(days=board.DEFAULT_DAYS),
        "can_manage": manage,
        "units": own_units(request.user).order_by("path")[:2000] if manage else [],
        "specialties": Specialty.objects.all(),
        "levels": SkillLevel.objects.all(),
        "kinds": CertificationKind.objects.all(),
        "values": {
            "full_name": person.full_name,
            "rank": person.rank,
            "position": person.position,
            "education": person.education,
            "specialty": str(person.specialty_id),
            "user": person.user.username if person.user else "",
        },
        "posted": {},
    }


@object_view(Person)
def person(request, pk):
    """A person: their details, units over time, skill levels over time, certifications, courses,
    exams, contests and initiatives; the forms to change them for who may."""
    found = _person_of(request, pk)
    if request.method == "POST":
        if not may_manage(request.user, found.unit):
            raise Forbidden(_("Vai trò của bạn không được phép thực hiện thao tác này."))
        action = request.POST.get("action", "")
        try:
            done = _do(request, found, action)
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            found.refresh_from_db()
            context = _context(request, found) | {"error": refusal, "posted": request.POST, "action": action}
            if action == "edit":
                context["values"] = request.POST
            return render(request, "people/detail.html", context, status=409 if refusal.code == "conflict" else 422)
        messages.success(request, done)
        if not Person.objects.visible_to(request.user).filter(pk=found.pk).exists():
            return redirect("people:list")
        return redirect("people:detail", pk=found.pk)
    return render(request, "people/detail.html", _context(request, found))


def _board_days(params) -> int:
    value = params.get("days", "")
    if value.isascii() and value.isdigit() and 0 < len(value) < 6:
        return min(int(value), board.MAX_DAYS)
    return board.DEFAULT_DAYS


def _board_url(unit, state: str, days: int, own: bool) -> str:
    query = {"unit": unit.code, "state": state, "days": days}
    if own:
        query["own"] = "1"
    return "?" + urlencode(query)


def certifications(request):
    """Chứng chỉ sắp hết hạn, đã hết hạn: counts per child unit, each opening exactly its rows."""
    scope = page_scope(request)
    today = timezone.localdate()
    days = _board_days(request.GET)
    state = request.GET.get("state", "")
    state = state if state in (board.EXPIRED, board.EXPIRING) else ""
    own = request.GET.get("own") == "1"
    base = Certification.objects.visible_to(request.user)
    lines = [
        {
            "line": line,
            "expired_url": _board_url(line.unit, board.EXPIRED, days, line.own),
            "expiring_url": _board_url(line.unit, board.EXPIRING, days, line.own),
        }
        for line in board.counts(base, scope.unit, today, days)
    ]
    rows = (
        board.rows(base, scope.unit, state, today, days, own=own)
        .select_related("person__unit", "kind")
        .order_by("expires_on", "person__full_name", "id")
    )
    total = rows.count()
    return render(
        request,
        "people/board.html",
        {
            "scope": scope,
            "days": days,
            "state": state,
            "own": own,
            "lines": lines,
            "rows": rows[:MAX_ROWS],
            "total": total,
            "today": today,
        },
    )


def gate(request):
    """Điều kiện cấp phát: for each equipment category, the specialty whose valid certification
    issuing one of its items to a person needs, and what its lack does (the administrator sets it)."""
    from materiel.catalog.models import Category

    may_set = allowed(request.user, "people.gate")
    error = None
    if request.method == "POST":
        if not may_set:
            raise Forbidden(_("Vai trò của bạn không được phép thực hiện thao tác này."))
        try:
            category = parsing.pick(Category.objects.all(), request.POST, "category", _("nhóm trang bị"))
            specialty = parsing.pick(
                Specialty.objects.all(), request.POST, "specialty", _("chuyên ngành"), required=False
            )
            issuing.set_rule(
                actor=request.user, category=category, specialty=specialty, policy=request.POST.get("policy", "")
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(
                request, _("Đã lưu điều kiện cấp phát của nhóm %(category)s.") % {"category": category.name}
            )
            return redirect("people:gate")
    rules = {r.category_id: r for r in QualificationRule.objects.select_related("specialty")}
    categories = [(c, rules.get(c.pk)) for c in Category.objects.order_by("order", "name")]
    return render(
        request,
        "people/gate.html",
        {
            "categories": categories,
            "specialties": Specialty.objects.all(),
            "policies": GatePolicy.choices,
            "may_set": may_set,
            "error": error,
        },
        status=422 if error else 200,
    )
