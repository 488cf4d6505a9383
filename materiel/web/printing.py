"""Print layouts (A4, Vietnamese administrative conventions): a register extract, an item's history
(lý lịch) and an equipment label. Handover records print from `handovers`."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from materiel.catalog.models import Category, EquipmentType
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item, Purpose, Status
from materiel.ledger import asof
from materiel.ledger.models import Event
from materiel.units.models import Unit

from .labels import item_label
from .scope import page_scope
from .views import register_queryset

# A printed extract beyond this (a dozen A4 pages) is a book, not an extract: the page asks for
# narrower filters instead.
PRINT_LIMIT = 500


def _preparer(user) -> list:
    return [
        (_("Người lập biểu"), "", str(user)),
        (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
    ]


def describe_filters(scope, params) -> list[tuple[str, str]]:
    """The register filters in words, as printed under the title."""
    described = []
    if params.get("category"):
        category = Category.objects.filter(code=params["category"]).first()
        described.append((_("Nhóm"), category.name if category else params["category"]))
    if params.get("type"):
        kind = EquipmentType.objects.filter(code=params["type"]).first()
        described.append((_("Chủng loại"), kind.name if kind else params["type"]))
    if params.get("grade"):
        described.append((_("Cấp chất lượng"), params["grade"]))
    if params.get("status") in Status.values:
        described.append((_("Tình trạng"), str(Status(params["status"]).label)))
    if params.get("purpose") in Purpose.values:
        described.append((_("Mục đích"), str(Purpose(params["purpose"]).label)))
    if params.get("year"):
        described.append((_("Năm sản xuất"), params["year"]))
    if params.get("holder"):
        described.append((_("Người giữ"), params["holder"]))
    if params.get("q"):
        described.append((_("Tìm"), params["q"]))
    return described


def register_print(request):
    scope = page_scope(request)
    items = register_queryset(request, scope, request.GET)
    total = items.count()
    chosen = list(items[:PRINT_LIMIT])
    # Status labels once: get_status_display() translates the whole choice list on every call.
    status_labels = {value: str(label) for value, label in Status.choices}
    if scope.day:
        past = asof.item_states_on(scope.day, [i.pk for i in chosen])
        names = dict(Unit.objects.filter(pk__in={v[0] for v in past.values()}).values_list("pk", "name"))
        rows = []
        for item in chosen:
            unit_id, grade, status = past[item.pk]
            rows.append((item, names.get(unit_id, ""), grade, status_labels[status]))
    else:
        rows = [(item, item.unit.name, item.grade, status_labels[item.status]) for item in chosen]
    return render(
        request,
        "web/print/register.html",
        {
            "scope": scope,
            "rows": register_rows_html(rows),
            "shown": len(rows),
            "total": total,
            "truncated": total > len(rows),
            "filters": describe_filters(scope, request.GET),
            "register_query": request.GET.urlencode(),
            "letterhead": letterhead(scope.unit, timezone.localdate()),
            "signers": _preparer(request.user),
        },
    )


def register_rows_html(rows) -> str:
    """The table rows of an extract, escaped, in one pass: a template loop over a thousand rows of
    eight cells costs about a second, this a few milliseconds."""
    html = []
    for n, (item, unit, grade, status) in enumerate(rows, start=1):
        cells = (item.serial, item.equipment_type.name, unit, grade, status, item.year_made or "", item.holder)
        serial, name, unit, grade, status, year, holder = (escape(c) for c in cells)
        html.append(
            f'<tr><td class="center">{n}</td><td>{serial}</td><td>{name}</td><td>{unit}</td>'
            f'<td class="center">{grade}</td><td>{status}</td><td class="center">{year}</td><td>{holder}</td></tr>'
        )
    return mark_safe("\n".join(html))  # every value above is escaped


@object_view(Item)
def item_print(request, pk):
    item = get_object_or_404(
        Item.objects.visible_to(request.user).select_related("equipment_type__category", "unit__parent"), pk=pk
    )
    events = list(
        Event.objects.filter(item=item)
        .select_related("recorded_by", "unit", "from_unit", "to_unit")
        .order_by("occurred_on", "id")
    )
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    # As on the item page: what another subtree recorded stays masked.
    in_scope = set(Event.objects.visible_to(request.user).filter(item=item).values_list("id", flat=True))
    return render(
        request,
        "web/print/item.html",
        {
            "item": item,
            "events": events,
            "reversed_ids": reversed_ids,
            "in_scope": in_scope,
            "meters": item.meters.order_by("meter"),
            "letterhead": letterhead(item.unit, timezone.localdate()),
            "signers": _preparer(request.user),
        },
    )


@object_view(Item)
def item_label_print(request, pk):
    item = get_object_or_404(Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    return render(request, "web/print/label.html", {"label": item_label(request, item)})
