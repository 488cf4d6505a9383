"""Storage pages: the places of a subtree with what each holds, a place's form, its list of items
(on screen and on A4), the form moving an item to another place, and the depot condition logs."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit
from materiel.core.bounds import MAX_DAY, MIN_DAY
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item

from . import depot_log, services
from . import places as reads
from .forms import CHECK_CHOICES, AcknowledgeForm, PlaceForm, ReadingForm, RelocateForm, month_lines, month_rows
from .models import DepotReading, StoragePlace

# The print of a place this long or longer asks to be split (the register's XLSX has every row).
PRINT_ROWS = 3000
# The alarms page lists the newest this many (its count says how many there are in all).
ALARMS_SHOWN = 500


def _require_page(user, action: str) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _put_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def places(request):
    """Nơi cất giữ: the depots, weapon rooms, gun cabinets and sheds of the chosen subtree, each with
    the number of items it holds now, linked to exactly those items."""
    scope = page_scope(request)
    direct = request.GET.get("direct") == "1"
    listed = list(reads.places_of(request.user, scope.unit, direct=direct))
    for place in listed:
        place.over = place.capacity is not None and place.held > place.capacity
    return render(
        request,
        "storage/places.html",
        {
            "scope": scope,
            "places": listed,
            "direct": direct,
            "alarms": depot_log.open_alarms(request.user, scope.unit).count(),
            "can_edit": allowed(request.user, "storage.manage") and can_see_unit(request.user, scope.unit),
        },
    )


def _save(request, form, unit, place=None):
    data = form.cleaned_data
    return services.save_place(
        actor=request.user,
        unit=unit,
        kind=data["kind"],
        code=data["code"],
        name=data["name"],
        capacity=data["capacity"],
        responsible=data["responsible"],
        note=data["note"],
        closed_on=data["closed_on"],
        place=place,
    )


def place_create(request):
    """A new place of the page's unit (?unit=CODE)."""
    scope = page_scope(request)
    _require_page(request.user, "storage.manage")
    form = PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            place = _save(request, form, scope.unit)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã thêm nơi cất giữ %(name)s.") % {"name": place.name})
            return redirect(f"/kho/?unit={place.unit.code}")
    return render(
        request,
        "storage/place_form.html",
        {"form": form, "unit": scope.unit, "creating": True},
        status=422 if form.errors else 200,
    )


def _visible_place(request, pk) -> StoragePlace:
    return get_object_or_404(reads.visible_places(request.user), pk=pk)


@object_view(StoragePlace)
def place_edit(request, pk):
    place = _visible_place(request, pk)
    _require_page(request.user, "storage.manage")
    form = PlaceForm(request.POST or None, initial=PlaceForm.initial_of(place))
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, form, place.unit, place)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã lưu nơi cất giữ %(name)s.") % {"name": place.name})
            return redirect(f"/kho/?unit={place.unit.code}")
    return render(
        request,
        "storage/place_form.html",
        {"form": form, "unit": place.unit, "place": place},
        status=422 if form.errors else 200,
    )


@object_view(StoragePlace)
def place_items(request, pk):
    """Danh sách trang bị trong kho: the items kept in one place now."""
    place = _visible_place(request, pk)
    items = list(reads.place_items(request.user, place))
    return render(request, "storage/place_items.html", {"place": place, "items": items, "count": len(items)})


@object_view(StoragePlace)
def place_print(request, pk):
    """The place's list on A4, with the letterhead and the signatures of the keeper and the commander."""
    place = _visible_place(request, pk)
    items = reads.place_items(request.user, place)
    total = items.count()
    today = timezone.localdate()
    return render(
        request,
        "storage/place_print.html",
        {
            "place": place,
            "items": items[:PRINT_ROWS] if total <= PRINT_ROWS else [],
            "total": total,
            "too_many": total > PRINT_ROWS,
            "limit": PRINT_ROWS,
            "today": today,
            "letterhead": letterhead(place.unit, today),
            "signers": [
                (_("Người phụ trách nơi cất giữ"), _("(Ký, ghi rõ họ tên)"), place.responsible),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )


@object_view(Item)
def relocate(request, pk):
    """Chuyển nơi cất giữ: one item to another place of its unit (a ledger event)."""
    item = get_object_or_404(Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    _require_page(request.user, "ledger.record")
    current = reads.place_of(item)
    choices = reads.open_places(item.unit)
    if current is not None:
        choices = choices.exclude(pk=current.place_id)
    form = RelocateForm(request.POST or None, places=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.relocate(
                item,
                place=data["place"],
                occurred_on=data["occurred_on"],
                note=data["note"],
                actor=request.user,
                expected_version=_version(request.POST.get("version")),
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(
                request, _("Đã chuyển %(item)s đến %(place)s.") % {"item": item.serial, "place": data["place"].name}
            )
            return redirect("web:item", pk=item.pk)
    return render(
        request,
        "storage/relocate_form.html",
        {"item": item, "form": form, "current": current, "has_places": choices.exists()},
        status=422 if form.errors else 200,
    )


def _version(text) -> int | None:
    return int(text) if text and str(text).isdigit() and len(str(text)) < 10 else None


# Depot condition logs (sổ theo dõi kho): the month of a place, a line, a month from the paper
# book, its print, the subtree's open alarms and their acknowledgement.


def _month(request) -> date:
    """The month the page shows (?thang=YYYY-MM), this month when absent or unreadable."""
    text = (request.GET.get("thang") or "").strip()
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)
    return month if MIN_DAY <= month <= MAX_DAY else timezone.localdate().replace(day=1)


def _month_param(month: date) -> str:
    return f"{month:%Y-%m}"


def _log_context(request, place, month) -> dict:
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    readings = list(depot_log.readings_in_month(request.user, place, month))
    return {
        "place": place,
        "month": month,
        "month_param": _month_param(month),
        "previous": _month_param(previous),
        "following": _month_param(following) if following <= timezone.localdate() else None,
        "readings": readings,
        "alarms": sum(1 for r in readings if r.alarm),
        "thresholds": sorted(depot_log.thresholds_of(place).values(), key=lambda t: t.measure),
        "can_write": allowed(request.user, "storage.manage") and can_see_unit(request.user, place.unit),
    }


@object_view(StoragePlace)
def depot_log_page(request, pk):
    """Sổ theo dõi kho: the month's lines of one place, and the form for one more line."""
    place = _visible_place(request, pk)
    month = _month(request)
    form = ReadingForm(request.POST or None)
    if request.method == "POST":
        _require_page(request.user, "storage.manage")
        if form.is_valid():
            try:
                written = depot_log.record(place, [form.line()], actor=request.user)
            except PermissionDenied as error:
                raise Forbidden(error.message) from None
            except DomainError as error:
                _put_error(form, error)
            else:
                reading = written[0]
                if reading.alarm:
                    messages.warning(request, _("Đã ghi sổ, có cảnh báo: %(alarm)s.") % {"alarm": reading.alarm})
                else:
                    messages.success(request, _("Đã ghi sổ theo dõi %(place)s.") % {"place": place.name})
                day = timezone.localtime(reading.taken_at).date()
                return redirect(f"{reverse('storage:depot_log', args=[place.pk])}?thang={_month_param(day)}")
    context = _log_context(request, place, month) | {"form": form}
    return render(request, "storage/depot_log.html", context, status=422 if form.errors else 200)


@object_view(StoragePlace)
def depot_month(request, pk):
    """A month of the paper log typed in at once: a row per day; empty rows are skipped; every
    filled row is written, or none when one is refused."""
    place = _visible_place(request, pk)
    _require_page(request.user, "storage.manage")
    month = _month(request)
    checked_by = (request.POST.get("checked_by") or place.responsible or "").strip()
    rows = month_rows(month, request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST":
        lines = month_lines(rows, checked_by)
        if any(row.error for row in rows):
            error = _("Có dòng không đọc được: xem các dòng tô đỏ. Chưa ghi dòng nào.")
        else:
            try:
                written = depot_log.record(place, lines, actor=request.user)
            except PermissionDenied as refusal:
                raise Forbidden(refusal.message) from None
            except DomainError as refusal:
                error = refusal.message + " " + _("Chưa ghi dòng nào.")
            else:
                alarms = sum(1 for r in written if r.alarm)
                messages.success(
                    request,
                    _("Đã ghi %(count)s lần kiểm tra vào sổ, %(alarms)s có cảnh báo.")
                    % {"count": len(written), "alarms": alarms},
                )
                return redirect(f"{reverse('storage:depot_log', args=[place.pk])}?thang={_month_param(month)}")
    return render(
        request,
        "storage/depot_month.html",
        {
            "place": place,
            "month": month,
            "month_param": _month_param(month),
            "rows": rows,
            "checked_by": checked_by,
            "error": error,
            "check_choices": CHECK_CHOICES,
        },
        status=422 if error else 200,
    )


@object_view(StoragePlace)
def depot_log_print(request, pk):
    """The month's log on A4, as the paper book's page, signed by the keeper."""
    place = _visible_place(request, pk)
    month = _month(request)
    today = timezone.localdate()
    return render(
        request,
        "storage/depot_log_print.html",
        _log_context(request, place, month)
        | {
            "today": today,
            "letterhead": letterhead(place.unit, today),
            "signers": [
                (_("Người phụ trách nơi cất giữ"), _("(Ký, ghi rõ họ tên)"), place.responsible),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên)"), ""),
            ],
        },
    )


def depot_alarms(request):
    """Cảnh báo kho: the subtree's alarms not answered yet — the rows the dashboard counts."""
    scope = page_scope(request)
    alarms = list(depot_log.open_alarms(request.user, scope.unit)[:ALARMS_SHOWN])
    return render(
        request,
        "storage/depot_alarms.html",
        {
            "scope": scope,
            "alarms": alarms,
            "count": depot_log.open_alarms(request.user, scope.unit).count(),
            "limit": ALARMS_SHOWN,
            "form": AcknowledgeForm(),
            "can_write": allowed(request.user, "storage.manage"),
        },
    )


@object_view(DepotReading)
def acknowledge(request, pk):
    """An alarm answered: what was done, by whom, when (POST from the alarms page or the log)."""
    reading = get_object_or_404(depot_log.visible_readings(request.user), pk=pk)
    _require_page(request.user, "storage.manage")
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            depot_log.acknowledge(reading, action=form.cleaned_data["action"], actor=request.user)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã xác nhận cảnh báo của %(place)s.") % {"place": reading.place.name})
            back = request.POST.get("next") or ""
            if back.startswith("/kho/") and "//" not in back:
                return redirect(back)
            return redirect(f"/kho/canh-bao/?unit={reading.place.unit.code}")
    return render(
        request,
        "storage/acknowledge_form.html",
        {"reading": reading, "form": form},
        status=422 if form.errors else 200,
    )
