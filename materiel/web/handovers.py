"""Handover record pages: the records of a subtree, one record, and its print layout."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.core.views import object_view
from materiel.core.xlsx import write_xlsx, xlsx_response
from materiel.documents.letterhead import letterhead
from materiel.documents.models import HandoverRecord
from materiel.documents.signatories import signatory
from materiel.equipment.models import Item
from materiel.ledger.models import Event
from materiel.reports.lists import HANDOVER_COLUMNS, handover_table

PAGE_SIZE = 50


def handover_list(request):
    scope = page_scope(request)
    records = (
        HandoverRecord.objects.visible_to(request.user)
        .touching(scope.unit)
        .select_related("from_unit", "to_unit")
        .annotate(line_count=Count("lines"))
        .order_by("-handed_on", "-id")
    )
    if request.GET.get("format") == "xlsx":
        output = write_xlsx(
            title=_("SỔ BIÊN BẢN BÀN GIAO"),
            filters=[(_("Đơn vị"), scope.unit.name)],
            columns=HANDOVER_COLUMNS,
            rows=handover_table(records.iterator(chunk_size=2000)),
            sheet=_("Biên bản bàn giao"),
        )
        return xlsx_response(output, f"bien-ban-ban-giao-{scope.unit.code}.xlsx")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/handovers.html", {"scope": scope, "page": page})


def record_lines(record, user) -> list[dict]:
    """The record's lines with what each moved; links only to items the reader may open."""
    lines = list(
        record.lines.select_related(
            "event__item__equipment_type", "event__lot__equipment_type", "event__reversed_by"
        ).order_by("position")
    )
    item_ids = [line.event.item_id for line in lines if line.event.item_id]
    visible = set(Item.objects.visible_to(user).filter(pk__in=item_ids).values_list("pk", flat=True))
    rows = []
    for line in lines:
        event = line.event
        thing = event.item or event.lot
        rows.append(
            {
                "position": line.position,
                "name": thing.equipment_type.name,
                "unit_of_measure": thing.equipment_type.unit_of_measure,
                "serial": event.item.serial if event.item_id else (event.lot.lot_number or "—"),
                # A lot line is the outgoing row of a transfer (negative) or a receipt (positive).
                "quantity": 1 if event.item_id else abs(event.quantity),
                "grade": event.grade_after,
                "item_id": event.item_id if event.item_id in visible else None,
                "reversed": _is_reversed(event),
                "event": event,
            }
        )
    return rows


def _is_reversed(event: Event) -> bool:
    try:
        return event.reversed_by is not None
    except Event.reversed_by.RelatedObjectDoesNotExist:
        return False


def _record_context(request, pk):
    record = get_object_or_404(
        HandoverRecord.objects.visible_to(request.user).select_related(
            "from_unit__parent", "to_unit", "issuing_unit__parent", "created_by"
        ),
        pk=pk,
    )
    lines = record_lines(record, request.user)
    return {
        "record": record,
        "lines": lines,
        "total": sum(line["quantity"] for line in lines if not line["reversed"]),
    }


@object_view(HandoverRecord)
def handover_detail(request, pk):
    return render(request, "web/handover.html", _record_context(request, pk))


@object_view(HandoverRecord)
def handover_print(request, pk):
    context = _record_context(request, pk)
    record = context["record"]
    context["letterhead"] = letterhead(record.issuing_unit, record.handed_on, place=record.place)
    # Military wording: "Đồng chí Đại úy Lò Văn Giao" in the parties, the rank before the name in
    # the signature blocks (documents.signatories reads the rank out of "cấp bậc, chức vụ").
    giver = signatory(record.giver_name, record.giver_title)
    receiver = signatory(record.receiver_name, record.receiver_title)
    context["giver"], context["receiver"] = giver, receiver
    context["signers"] = [
        (_("Đại diện bên giao"), "", giver.full_name),
        (_("Đại diện bên nhận"), "", receiver.full_name),
    ]
    return render(request, "web/print/handover.html", context)
