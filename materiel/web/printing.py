"""Print layouts (A4, Vietnamese administrative conventions): the register book (whole, streamed) or
an extract of it, an item's history (lý lịch) and an equipment label. Handover records print from
`handovers`."""

import itertools
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import get_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from materiel.accounts.page_scope import page_scope
from materiel.catalog.models import Category, EquipmentType
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item, Purpose, Status
from materiel.ledger import asof
from materiel.ledger.models import Event
from materiel.reports.register import lot_rows, register_items
from materiel.units.models import Unit

from .labels import item_label

# The register prints whole, however long: its rows are read and written this many at a time, so the
# server holds one chunk in memory whether the book has a hundred rows or a hundred thousand.
CHUNK_ROWS = 500
# Where the streamed rows go in the rendered page (split there: head before, the rest after).
ROWS_MARK = "<!--register-rows-->"
# Filters of the register that lots do not have: with any of them the print has no lot section.
ITEM_ONLY_FILTERS = ("status", "purpose", "holder", "year")


def _preparer(user) -> list:
    return [
        (_("Người lập biểu"), "", str(user)),
        (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
    ]


def describe_filters(scope, params) -> list[tuple[str, str]]:
    """The register filters in words, as printed under the title."""
    described = []
    if params.get("kind") == "lots":
        described.append((_("Phần"), _("Vật tư, đạn dược theo lô")))
    elif params.get("kind") == "serialised":
        described.append((_("Phần"), _("Trang bị quản lý theo số hiệu")))
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


def prints_lots(params) -> bool:
    """Whether the print has a section of counted stock: the lots page answers the same filters
    (group, type, one grade, search) and the print is not of serialised items alone."""
    if params.get("kind") == "serialised" or any(params.get(name) for name in ITEM_ONLY_FILTERS):
        return False
    return "," not in params.get("grade", "")


def register_print(request):
    """The register book as filtered on the register page, every row of it, streamed: the page head,
    then the rows in chunks of the same scoped queryset the register page counts (on a past day their
    unit, grade and status as of that day, from the ledger), then the lots, totals and signatures."""
    scope = page_scope(request)
    params = request.GET
    items = None if params.get("kind") == "lots" else register_items(request.user, scope, params)
    total = items.count() if items is not None else 0
    lots = lot_rows(request.user, scope, params) if prints_lots(params) else None
    filters = describe_filters(scope, params)
    # Unfiltered, it is the register book itself; filtered, an extract of it.
    title = _("Trích sổ đăng ký vũ khí, trang bị kỹ thuật") if filters else _("Sổ đăng ký vũ khí, trang bị kỹ thuật")
    page = render_to_string(
        "web/print/register.html",
        {
            "scope": scope,
            "title": title,
            "items": items is not None,
            "rows": mark_safe(ROWS_MARK),
            "total": total,
            "lots": lots,
            "lot_totals": lot_totals(lots or []),
            "filters": filters,
            "register_query": params.urlencode(),
            "letterhead": letterhead(scope.unit, timezone.localdate()),
            "signers": _preparer(request.user),
        },
        request,
    )
    if items is None:
        return StreamingHttpResponse([page], content_type="text/html; charset=utf-8")
    # The mark cannot come from the data: text in the page is escaped ("<" is "&lt;").
    head, _mark, tail = page.partition(ROWS_MARK)
    body = item_rows_html(scope, items, translation.get_language())
    return StreamingHttpResponse(itertools.chain([head], body, [tail]), content_type="text/html; charset=utf-8")


def item_rows_html(scope, items, language):
    """The item table's rows, CHUNK_ROWS at a time, numbered on across chunks, then its total row.
    Runs after the view has returned (as the server sends), hence the language passed in."""
    with translation.override(language):
        # Status labels once: get_status_display() translates the whole choice list on every call.
        status_labels = {value: str(label) for value, label in Status.choices}
        separator = get_format("THOUSAND_SEPARATOR")
        count = 0
        rows = items.iterator(chunk_size=CHUNK_ROWS)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            yield register_rows_html(chunk_rows(scope, chunk, status_labels), start=count + 1, separator=separator)
            count += len(chunk)
        if not count:
            nothing = escape(_("Không có trang bị nào khớp điều kiện lọc."))
            yield f'<tr><td colspan="8">{nothing}</td></tr>'
        total = ngettext("Cộng: %(n)s trang bị", "Cộng: %(n)s trang bị", count) % {"n": number_format(count)}
        yield f'<tr class="total"><th colspan="8" data-testid="print-total">{escape(total)}</th></tr>'


def chunk_rows(scope, chunk, status_labels) -> list[tuple]:
    """(item, unit name, grade, status label) for a chunk of the register, as the register page
    shows them: now from the items, on a past day from the ledger's states of that day, with the
    names the units bore then."""
    if scope.day is None:
        return [(item, item.unit.name, item.grade, status_labels[item.status]) for item in chunk]
    past = asof.item_states_on(scope.day, [item.pk for item in chunk])
    units = Unit.objects.filter(pk__in={state[0] for state in past.values()}).values_list("pk", "name")
    names = {pk: scope.tree.name.get(pk, name) for pk, name in units}
    rows = []
    for item in chunk:
        if item.pk in past:
            unit_id, grade, status = past[item.pk]
            rows.append((item, names.get(unit_id, ""), grade, status_labels[status]))
        else:  # as the register page does: an item with no state that day shows as it is now
            rows.append((item, item.unit.name, item.grade, status_labels[item.status]))
    return rows


def register_rows_html(rows, start: int = 1, separator: str = ".") -> str:
    """Table rows of the register, escaped, in one pass: a template loop over a thousand rows of
    eight cells costs about a second, this a few milliseconds. Rows are numbered from `start`, in
    thousands grouped by `separator` (1.200 in Vietnamese)."""
    html = []
    for n, (item, unit, grade, status) in enumerate(rows, start=start):
        cells = (item.serial, item.equipment_type.name, unit, grade, status, item.year_made or "", item.holder)
        serial, name, unit, grade, status, year, holder = (escape(c) for c in cells)
        number = f"{n:,}".replace(",", separator)
        html.append(
            f'<tr><td class="center">{number}</td><td class="nowrap">{serial}</td><td>{name}</td><td>{unit}</td>'
            f'<td class="center">{grade}</td><td>{status}</td><td class="center">{year}</td><td>{holder}</td></tr>'
        )
    return "\n".join(html) + "\n"


def lot_totals(lots) -> list[tuple[str, int, str]]:
    """(type name, quantity, unit of measure) per type of the printed lots: quantities of different
    types are never added together (rounds and kilograms do not sum)."""
    totals: dict[int, list] = {}
    for lot, quantity in lots:
        kind = lot.equipment_type
        totals.setdefault(kind.pk, [kind.name, 0, kind.unit_of_measure])[1] += quantity
    return [tuple(total) for total in totals.values()]


def page_numbers_css(request):
    """The page number in the bottom margin of every printed page, in the reader's language: CSS page
    margin boxes, which Chromium's print (since version 131) and WeasyPrint both draw."""
    label = _("Trang {page}/{pages}")
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    parts = [counters.get(part) or css_string(part) for part in re.split(r"(\{pages?\})", label) if part]
    font = '11pt "Times New Roman", "Liberation Serif", serif'
    css = f"@page {{ @bottom-right {{ content: {' '.join(parts)}; font: {font}; }} }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


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
    form = request.GET.get("format", "")
    if form in ("pdf", "docx"):
        from materiel.documents import engine

        return engine.download(item_document(request.user, item, events, reversed_ids, in_scope), form)
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
            "downloads": [(_("Tải DOCX"), "?format=docx"), (_("Tải PDF"), "?format=pdf")],
        },
    )


def event_content(event) -> str:
    """What an event did, in words, as the print view's "Nội dung" column says it."""
    if event.kind == "transfer":
        text = f"{event.from_unit.name if event.from_unit else ''} → {event.to_unit.name if event.to_unit else ''}"
    elif event.kind == "receipt":
        text = _("Vào sổ %(unit)s, cấp %(grade)s") % {"unit": event.unit.name, "grade": event.grade_after}
    elif event.kind == "grade_change":
        text = _("Cấp %(a)s → cấp %(b)s") % {"a": event.grade_before, "b": event.grade_after}
    elif event.kind == "issue":
        text = f"{_('Cấp cho')} {event.holder_after}"
    elif event.kind == "return":
        text = f"{_('Thu hồi từ')} {event.holder_before}"
    elif event.kind == "reversal":
        text = _("Hủy sự kiện #%(n)s") % {"n": event.reverses_id}
    else:
        text = f"{event.get_status_before_display()} → {event.get_status_after_display()}"
    return f"{text}; {event.reason}" if event.reason else text


def item_document(user, item, events, reversed_ids, in_scope):
    """The item's history (lý lịch) as an engine document: its PDF and DOCX."""
    from materiel.documents import engine
    from materiel.documents.models import Family, LayoutProfile

    today = timezone.localdate()
    profile = LayoutProfile.objects.in_force(Family.STATE, today) or LayoutProfile.objects.first()
    head = letterhead(item.unit, today)
    facts = [
        (_("Nhóm"), item.equipment_type.category.name),
        (_("Đơn vị quản lý"), item.unit.name),
        (_("Cấp chất lượng"), str(item.grade)),
        (_("Tình trạng"), str(item.get_status_display())),
        (_("Năm sản xuất"), str(item.year_made or "—")),
        (_("Nước sản xuất"), item.origin or "—"),
        (_("Người giữ"), item.holder or "—"),
    ]
    blocks: list = [engine.Paragraph(f"{item.equipment_type.name} – {_('số hiệu')} {item.serial}", style="subtitle")]
    blocks += [engine.Paragraph(value, style="plain", label=f"{label}:") for label, value in facts]
    columns = [
        engine.TableColumn(_("TT"), width=4),
        engine.TableColumn(_("Ngày")),
        engine.TableColumn(_("Sự kiện"), width=20),
        engine.TableColumn(_("Nội dung"), width=36),
        engine.TableColumn(_("Văn bản")),
        engine.TableColumn(_("Người ghi")),
    ]
    rows = []
    for n, event in enumerate(events, start=1):
        kind = str(event.get_kind_display()) + (f" ({_('đã hủy')})" if event.pk in reversed_ids else "")
        if event.pk in in_scope:
            cells = [event_content(event), event.document_number, str(event.recorded_by)]
        else:  # as the print view: what another subtree recorded stays masked
            cells = [_("Ghi tại đơn vị ngoài phạm vi quản lý của bạn."), "", ""]
        rows.append(
            [engine.Cell(str(n)), engine.Cell(event.occurred_on.strftime("%d/%m/%Y")), engine.Cell(kind)]
            + [engine.Cell(c) for c in cells]
        )
    blocks.append(engine.Table(columns, rows, title=_("Quá trình quản lý, sử dụng"), testid="print-history"))
    header = engine.Header(Family.STATE, head.superior, head.unit, "", head.place, head.day)
    return engine.Document(
        profile=profile,
        header=header,
        kind=_("Lý lịch vũ khí, trang bị kỹ thuật"),
        blocks=blocks,
        signatures=[
            engine.Signature("", _("Người lập biểu"), str(user)),
            engine.Signature("", _("Thủ trưởng đơn vị"), "", _("(Ký, ghi rõ họ tên, đóng dấu)")),
        ],
        filename=f"ly-lich-{item.pk}",
    )


@object_view(Item)
def item_label_print(request, pk):
    item = get_object_or_404(Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    return render(request, "web/print/label.html", {"label": item_label(request, item)})
