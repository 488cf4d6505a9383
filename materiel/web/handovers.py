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


def handover_document(record, lines, total, giver, receiver):
    """The record as an engine document (documents.engine): its PDF and DOCX."""
    from materiel.documents import engine
    from materiel.documents.models import Family, LayoutProfile

    profile = LayoutProfile.objects.in_force(Family.STATE, record.handed_on) or LayoutProfile.objects.first()
    head = letterhead(record.issuing_unit, record.handed_on, place=record.place)
    header = engine.Header(
        Family.STATE, head.superior, head.unit, _("Số: %(n)s") % {"n": record.number}, head.place, head.day
    )
    day = record.handed_on

    def person(who):
        label = _("Chức vụ:") if who.rank else _("Cấp bậc, chức vụ:")
        return f"{_('Đồng chí')} {who.full_name or '…………………………'} – {label} {who.position or '…………………………'}"

    blocks: list = [
        engine.Paragraph(
            _("Hôm nay, ngày %(d)s tháng %(m)s năm %(y)s, chúng tôi gồm:")
            % {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year}
        ),
        engine.Paragraph(person(giver), style="plain", label=_("BÊN GIAO: %(unit)s") % {"unit": record.giving_party}),
        engine.Paragraph(
            person(receiver), style="plain", label=_("BÊN NHẬN: %(unit)s") % {"unit": record.to_unit.name}
        ),
    ]
    if record.reason:
        blocks.append(engine.Paragraph(record.reason, label=_("Căn cứ:")))
    blocks.append(engine.Paragraph(_("Hai bên đã tiến hành bàn giao vũ khí, trang bị kỹ thuật như sau:")))
    columns = [
        engine.TableColumn(_("TT"), width=4),
        engine.TableColumn(_("Tên trang bị"), width=28),
        engine.TableColumn(_("Số hiệu, số lô")),
        engine.TableColumn(_("ĐVT")),
        engine.TableColumn(_("Số lượng"), kind="int"),
        engine.TableColumn(_("Cấp chất lượng"), kind="int"),
        engine.TableColumn(_("Ghi chú")),
    ]
    rows = [
        [
            engine.Cell(str(line["position"])),
            engine.Cell(line["name"]),
            engine.Cell(line["serial"]),
            engine.Cell(line["unit_of_measure"]),
            engine.Cell(str(line["quantity"]), value=line["quantity"], numeric=True),
            engine.Cell(str(line["grade"] or ""), value=line["grade"], numeric=True),
            engine.Cell(_("Đã hủy (ghi nhầm)") if line["reversed"] else ""),
        ]
        for line in lines
    ]
    blank = engine.Cell("")
    totals = [
        blank,
        engine.Cell(_("Cộng")),
        blank,
        blank,
        engine.Cell(str(total), value=total, numeric=True),
        engine.Cell("", numeric=True),
        blank,
    ]
    blocks.append(engine.Table(columns, rows, totals, testid="handover-lines"))
    if record.notes:
        blocks.append(engine.Paragraph(record.notes, label=_("Ghi chú:")))
    blocks.append(engine.Paragraph(_("Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.")))
    kind = (
        _("Biên bản giao nhận vũ khí, trang bị kỹ thuật")
        if record.is_receipt
        else _("Biên bản bàn giao vũ khí, trang bị kỹ thuật")
    )
    hint = _("(Ký, ghi rõ họ tên)")
    return engine.Document(
        profile=profile,
        header=header,
        kind=kind,
        blocks=blocks,
        signatures=[
            engine.Signature("", _("Đại diện bên giao"), giver.full_name, hint),
            engine.Signature("", _("Đại diện bên nhận"), receiver.full_name, hint),
        ],
        filename=f"bien-ban-{record.pk}",
    )


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
    form = request.GET.get("format", "")
    if form in ("pdf", "docx"):
        from materiel.documents import engine

        document = handover_document(record, context["lines"], context["total"], giver, receiver)
        return engine.download(document, form)
    context["downloads"] = [(_("Tải DOCX"), "?format=docx"), (_("Tải PDF"), "?format=pdf")]
    return render(request, "web/print/handover.html", context)
