"""Storage pages: the places of a subtree with what each holds, a place's form, its list of items
(on screen and on A4), and the form moving an item to another place."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item

from . import places as reads
from . import services
from .forms import PlaceForm, RelocateForm
from .models import StoragePlace

# The print of a place this long or longer asks to be split (the register's XLSX has every row).
PRINT_ROWS = 3000


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
