"""The register's dataset: its items and lots with the page's filters, sort and past-day reads, and
the same rows as a table for XLSX export. The Trang bị page, its print, its exports and the API's
exports all call these functions."""

from django.db.models.expressions import RawSQL
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.catalog.models import CompletenessPolicy
from materiel.core import bounds
from materiel.core.text import nfc
from materiel.core.xlsx import Column, write_xlsx, xlsx_response
from materiel.equipment.models import HOLDINGS, Item, Kit, Lot, Purpose, Status
from materiel.equipment.search import Search
from materiel.inspections.readiness import reasons_on
from materiel.ledger import asof, coefficients
from materiel.units.models import Unit

from .lists import LOT_COLUMNS, lot_table

# Headers the importer recognises, so that an export can be imported again.
REGISTER_COLUMNS = [
    Column("STT", 6, "int"),
    Column("Số hiệu", 16),
    Column("Tên trang bị", 32),
    Column("Nhóm", 22),
    Column("Đơn vị quản lý", 34),
    Column("Cấp chất lượng", 9, "int"),
    Column("Tình trạng", 16),
    Column("Năm sản xuất", 9, "year"),
    Column("Nước sản xuất", 14),
    Column("Ngày tiếp nhận", 13, "date"),
    Column("Người giữ", 20),
    Column("Ghi chú", 24),
]


def register_rows(items, states=None):
    """Rows for REGISTER_COLUMNS; `states` (item -> (unit, grade, status)) gives a past day's values."""
    for number, item in enumerate(items.iterator(chunk_size=2000), start=1):
        unit, grade, status = item.unit.name, item.grade, item.status
        if states is not None and item.pk in states:
            unit, grade, status = states[item.pk]
        yield (
            number,
            item.serial,
            item.equipment_type.name,
            item.equipment_type.category.name,
            unit,
            grade,
            str(Status(status).label),
            item.year_made,
            item.origin,
            item.received_on,
            item.holder,
            item.note,
        )


def parse_grades(text: str | None) -> list[int]:
    """`grade=2` or, for a dashboard's "serviceable" number, `grade=1,2`; ASCII digits within 64 bits
    (a larger number made the query raise OverflowError, "٣" was read as 3)."""
    grades = (bounds.parse_count(g, bounds.MAX_ID) for g in (text or "").split(","))
    return sorted({g for g in grades if g is not None})


def register_items(user, scope, params):
    """The register's items as the page, its print and its exports filter and order them (params:
    the page's query)."""
    items = filtered_items(user, scope.unit, scope.day, params)
    search = Search.of(params.get("q", ""))
    order = register_order(params.get("sort", ""))
    if search and params.get("sort", "").removeprefix("-") not in SORTS:
        # What the word most likely means first (equipment.search), then the register's order.
        return items.annotate(search_rank=search.item_rank()).order_by("search_rank", *order)
    return items.order_by(*order)


def filtered_items(user, unit, day, params):
    """The items of `unit`'s subtree that the register's filters keep, now or on `day` (unordered):
    one definition for the page and the API. params: category, type, q, holder, purpose, year,
    status, grade ("2" or "1,2"), direct ("1": only what the unit holds itself), place (a storage
    place's id: the items kept there now), readiness (a readiness reason's code: the items that
    carry it, now or on the day), kit (`kit_filter`), as strings."""
    items = Item.objects.visible_to(user).select_related("equipment_type__category", "unit")
    category = params.get("category")
    type_code = params.get("type")
    grade = params.get("grade")
    status = params.get("status")
    if category:
        items = items.filter(equipment_type__category__code=category)
    if type_code:
        items = items.filter(equipment_type__code=type_code)
    search = Search.of(params.get("q", ""))
    if search:
        items = items.filter(search.items())
    holder = nfc(params.get("holder", ""))
    if holder:
        items = items.filter(holder__icontains=holder)
    if params.get("purpose") in Purpose.values:
        items = items.filter(purpose=params["purpose"])
    year = bounds.parse_count(params.get("year"), bounds.MAX_DAY.year)
    if year is not None:
        items = items.filter(year_made=year)
    place = bounds.parse_count(params.get("place"), bounds.MAX_ID)
    if place is not None:
        # Where an item is kept is today's fact (storage.ItemPlace), also on a past day's register.
        items = items.filter(place_row__place_id=place)
    readiness = params.get("readiness")
    if readiness and day is None:
        items = items.filter(readiness_row__reason__code=readiness)
    elif readiness:
        # On a past day the reason carried then, from the `readiness` events (inspections.readiness).
        ids = [pk for pk, code in reasons_on(day).items() if code == readiness]
        items = items.filter(
            id__in=RawSQL(f"SELECT id FROM {Item._meta.db_table} WHERE {asof.id_list_sql('id', ids)}", [])
        )
    kits = kit_filter(params.get("kit"), day)
    if kits is not None and day is None:
        items = items.filter(kit__in=kits)
    elif kits is not None:
        # On a past day the kit of that day, from the `kit` events (ledger.asof).
        ids = [pk for pk, kit in asof.kit_conditions_on(day).items() if kit in kits]
        items = items.filter(
            id__in=RawSQL(f"SELECT id FROM {Item._meta.db_table} WHERE {asof.id_list_sql('id', ids)}", [])
        )
    statuses = [status] if status in Status.values else list(HOLDINGS)
    grades = parse_grades(grade)
    direct = params.get("direct") == "1"  # held by the unit itself, not by the units under it
    if day is None:
        items = (items.filter(unit=unit) if direct else items.in_subtree(unit)).filter(status__in=statuses)
        if grades:
            items = items.filter(grade__in=grades)
    else:
        units = [unit.pk] if direct else coefficients.subtree_unit_ids(unit, day)
        sql, sql_params = asof.item_ids_sql(day, unit_ids=units, grade=grades or None, status=statuses)
        items = items.filter(id__in=RawSQL(sql, sql_params))
    return items


KIT_FILTERS = ("incomplete", Kit.MISSING.value, Kit.DAMAGED.value)


def kit_filter(value: str | None, day) -> list[str] | None:
    """The kit conditions a `kit` filter keeps: `incomplete` is what the đồng bộ coefficient counts
    as not complete on the day (the CompletenessPolicy then in force), `missing` or `damaged` one
    condition; None for no filter."""
    if value == "incomplete":
        policy = CompletenessPolicy.objects.in_force(day or timezone.localdate())
        return [Kit.MISSING.value, Kit.DAMAGED.value] if policy.damaged_counts else [Kit.MISSING.value]
    if value in KIT_FILTERS:
        return [value]
    return None


# Column sorts the register offers: ?sort=<key>, or ?sort=-<key> for descending.
SORTS = {
    "serial": ("serial",),
    "type": ("equipment_type__name", "serial"),
    "unit": ("unit__path", "equipment_type__name", "serial"),
    "grade": ("grade", "equipment_type__name", "serial"),
    "year": ("year_made", "equipment_type__name", "serial"),
    "holder": ("holder", "serial"),
}


def register_order(sort: str) -> list[str]:
    """The ORDER BY of a sort choice; the register's usual order (group, type, serial) otherwise."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return ["equipment_type__category__order", "equipment_type__name", "serial", "id"]
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + field for field in SORTS[key]] + [prefix + "id"]


def lot_rows(user, scope, params) -> list[tuple[Lot, int]]:
    """Counted stock behind a number: lots in the subtree with their quantity now or on the day."""
    lots = Lot.objects.visible_to(user).select_related("equipment_type__category", "unit")
    if params.get("category"):
        lots = lots.filter(equipment_type__category__code=params["category"])
    if params.get("type"):
        lots = lots.filter(equipment_type__code=params["type"])
    grade = bounds.parse_count(params.get("grade"), bounds.MAX_ID)
    if grade is not None:
        lots = lots.filter(grade=grade)
    search = Search.of(params.get("q", ""))
    if search:
        lots = lots.filter(search.lots())
    lots = lots.order_by("equipment_type__name", "unit__path", "lot_number", "grade")
    if scope.day is None:
        rows = [(lot, lot.quantity) for lot in lots.in_subtree(scope.unit)]
    else:
        quantities = asof.lot_quantities_on(scope.day)
        units = coefficients.subtree_unit_ids(scope.unit, scope.day)
        rows = [(lot, quantities.get(lot.pk, 0)) for lot in lots.filter(unit_id__in=units)]
    return [(lot, qty) for lot, qty in rows if qty]


def lot_matches(user, scope, params) -> int | None:
    """How many of today's lots the register's search also finds (the register page links to them);
    None without a search, or on a past day (its lot quantities are a fold of the whole ledger)."""
    search = Search.of(params.get("q", ""))
    if search is None or scope.day is not None:
        return None
    lots = Lot.objects.visible_to(user).in_subtree(scope.unit).filter(search.lots(), quantity__gt=0)
    return lots.count()


def lots_export(user, scope, params):
    """The lots page as filtered, as XLSX."""
    described = scope.described()
    for key, label in (("category", _("Nhóm")), ("type", _("Chủng loại")), ("grade", _("Cấp")), ("q", _("Tìm"))):
        if params.get(key):
            described.append((label, params[key]))
    output = write_xlsx(
        title=_("VẬT TƯ, ĐẠN DƯỢC THEO LÔ"),
        filters=described,
        columns=LOT_COLUMNS,
        rows=lot_table(lot_rows(user, scope, params)),
        sheet=_("Theo lô"),
    )
    return xlsx_response(output, f"theo-lo-{scope.unit.code}{'-' + scope.day.isoformat() if scope.day else ''}.xlsx")


def register_export(user, scope, params):
    """The register as filtered on the page, as XLSX (streamed from a temporary file)."""
    if params.get("kind") == "lots":
        return lots_export(user, scope, params)
    items = register_items(user, scope, params).select_related("unit")
    states = None
    if scope.day is not None:
        units = coefficients.subtree_unit_ids(scope.unit, scope.day)
        names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
        states = {
            item_id: (names[unit_id], grade, status)
            for item_id, (unit_id, grade, status) in asof.states_in_units_on(scope.day, units).items()
        }
    described = scope.described()
    labels = {
        "category": _("Nhóm"),
        "type": _("Chủng loại"),
        "grade": _("Cấp"),
        "status": _("Tình trạng"),
        "q": _("Tìm"),
        "holder": _("Người giữ"),
        "purpose": _("Mục đích"),
        "year": _("Năm SX"),
    }
    for key, label in labels.items():
        if params.get(key):
            described.append((label, params[key]))
    output = write_xlsx(
        title=_("SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"),
        filters=described,
        columns=REGISTER_COLUMNS,
        rows=register_rows(items, states),
        sheet=_("Sổ đăng ký"),
    )
    name = f"so-dang-ky-{scope.unit.code}{'-' + scope.day.isoformat() if scope.day else ''}.xlsx"
    return FileResponse(
        output,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
