"""The document engine: a document is a typed dataset, built once, and written four ways.

`Document` holds what a document says — its header (issuing body, number, place and date), kind and
subject, paragraphs and tables, signature blocks and recipients — and the `LayoutProfile` that says
how it looks. The writers never query the database and never see a model but the profile:

- `html_context` feeds the print view (`documents/document.html`, over the print base);
- `to_docx` writes an editable DOCX with python-docx;
- `to_pdf` prints the same HTML through WeasyPrint, which may fetch nothing but our own static files
  (`LocalFetcher`): a text field carrying `<img src="http://…">` or `file:///etc/passwd` is escaped
  text, and even markup that reached WeasyPrint could open no URL;
- `to_xlsx` writes the document's first table through `core.xlsx.write_xlsx`.

Every text goes through escaping (Django's autoescape in HTML and PDF; python-docx and xlsxwriter
write text runs, never markup). Dates print with leading zeros: "ngày 05 tháng 02 năm 2026".
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from materiel.core.xlsx import Column, write_xlsx

from .models import Family, LayoutProfile

# The base address WeasyPrint resolves relative URLs against; only our static files under it are served.
PDF_BASE = "https://materiel.invalid/"
SERIF_FALLBACK = '"Liberation Serif", "DejaVu Serif", serif'


@dataclass
class Cell:
    text: str
    value: Any = None  # what XLSX writes (a number stays a number); the text when None
    href: str = ""
    numeric: bool = False


@dataclass
class TableColumn:
    label: str
    group: str = ""  # a head spanning consecutive columns of the same group ("Cấp chất lượng")
    kind: str = "text"  # core.xlsx kinds: text, int, decimal
    width: int = 8


@dataclass
class Table:
    columns: list[TableColumn]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    testid: str = ""
    title: str = ""

    def head_rows(self) -> list[list[dict]]:
        """One or two rows of heads: a grouped column sits under its group's head, an ungrouped one
        spans both rows."""
        grouped = any(c.group for c in self.columns)
        top: list[dict] = []
        bottom: list[dict] = []
        for column in self.columns:
            if not column.group:
                top.append({"text": column.label, "colspan": 1, "rowspan": 2 if grouped else 1})
            elif top and top[-1].get("group") == column.group:
                top[-1]["colspan"] += 1
                bottom.append({"text": column.label, "colspan": 1, "rowspan": 1})
            else:
                top.append({"text": column.group, "colspan": 1, "rowspan": 1, "group": column.group})
                bottom.append({"text": column.label, "colspan": 1, "rowspan": 1})
        return [top, bottom] if grouped else [top]


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body (indented), plain, bold, italic, center, subtitle
    label: str = ""  # a bold lead-in: "BÊN GIAO:"


@dataclass
class Signature:
    authority: str  # "TM. BAN CHỈ HUY", "T/M ĐẢNG ỦY", "KT. CHỈ HUY TRƯỞNG" or ""
    position: str  # "CHỈ HUY TRƯỞNG", "BÍ THƯ", "ĐẠI DIỆN BÊN GIAO"
    name: str = ""
    hint: str = ""


@dataclass
class Header:
    family: str
    superior: str
    issuer: str
    number: str
    place: str
    day: date


@dataclass
class Document:
    profile: LayoutProfile
    header: Header
    kind: str
    subject: str = ""
    blocks: list[Paragraph | Table] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    filename: str = "van-ban"
    # A4 landscape: a wide table not made into an appendix (Nghị định 30/2020, Phụ lục I).
    landscape: bool = False

    @property
    def party(self) -> bool:
        return self.header.family == Family.PARTY

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


def place_and_date(place: str, day: date) -> str:
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place or "……………",
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}",
        "y": day.year,
    }


# ---------------------------------------------------------------- HTML (print view) and PDF


def _pt(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}pt"


def _mm(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}mm"


def css_string(text: str) -> str:
    return '"' + "".join(ch for ch in text if ch.isalnum() or ch in " -_") + '"'


def profile_css(profile: LayoutProfile, *, screen: bool = True, landscape: bool = False) -> str:
    """The profile's page, margins, type and spacing as CSS over documents/print.css. Only numbers
    and a font name stripped to letters, digits, spaces and dashes reach it."""
    margins = " ".join(
        _mm(v) for v in (profile.margin_top, profile.margin_right, profile.margin_bottom, profile.margin_left)
    )
    font = f"{css_string(profile.font_family)}, {SERIF_FALLBACK}"
    number = f"font: {_pt(profile.page_number_size)} {font}"
    size = (css_string(profile.page_size)[1:-1] or "A4") + (" landscape" if landscape else "")
    rules = [
        f"@page {{ size: {size}; margin: {margins}; @top-center {{ content: counter(page); {number}; }} }}",
    ]
    if profile.page_numbers_from > 1:
        rules.append("@page :first { @top-center { content: none; } }")
    sheet = ".paper.engine"
    rules += [
        f"{sheet} {{ font-family: {font}; font-size: {_pt(profile.body_size)}; line-height: {profile.line_spacing}; "
        + (f"padding: {margins}; " if screen else "")
        + ("max-width: 297mm; " if screen and landscape else "")
        + "}",
        f"{sheet} .doc-body p {{ margin: 0 0 {_pt(profile.paragraph_spacing)}; }}",
        f"{sheet} .doc-body p.body {{ text-indent: {_mm(profile.first_line_indent)}; text-align: justify; }}",
        f"{sheet} .letterhead .nation {{ font-size: {_pt(profile.title_size)}; }}",
        f"{sheet} .letterhead .motto {{ font-size: {_pt(profile.motto_size)}; }}",
        f"{sheet} .letterhead .superior {{ font-size: {_pt(profile.superior_size)}; }}",
        f"{sheet} .letterhead .issuer-name {{ font-size: {_pt(profile.issuer_size)}; }}",
        f"{sheet} .letterhead .doc-number {{ font-size: {_pt(profile.number_size)}; }}",
        f"{sheet} .letterhead .place-date {{ font-size: {_pt(profile.place_date_size)}; }}",
        f"{sheet} .doc-title {{ font-size: {_pt(profile.kind_size)}; }}",
        f"{sheet} .doc-subject {{ font-size: {_pt(profile.subject_size)}; }}",
        f"{sheet} .signatures .role, {sheet} .signatures .signer {{ font-size: {_pt(profile.signer_size)}; }}",
        f"{sheet} .recipients .label {{ font-size: {_pt(profile.recipients_label_size)}; }}",
        f"{sheet} .recipients li {{ font-size: {_pt(profile.recipients_size)}; }}",
    ]
    return "\n".join(rules) + "\n"


def html_context(document: Document) -> dict:
    return {"document": document, "place_date": place_and_date(document.header.place, document.header.day)}


class LocalFetcher:
    """WeasyPrint's URL fetcher: our own static files under PDF_BASE + STATIC_URL, nothing else —
    no network, no file://, no data the page did not ship with. A refused URL is skipped (WeasyPrint
    draws nothing for it) and remembered in `refused` (the SSRF test reads it)."""

    def __init__(self):
        from django.conf import settings

        self.static = PDF_BASE.rstrip("/") + settings.STATIC_URL
        self.refused: list[str] = []

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if url.startswith(self.static) and ".." not in url:
            path = finders.find(url[len(self.static) :].split("?")[0])
            if isinstance(path, str):
                with open(path, "rb") as handle:
                    return URLFetcherResponse(url, handle.read())
        self.refused.append(url)
        raise ValueError(f"refused: {url}")


def _fetcher():
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):  # WeasyPrint calls `fetch` and reads its options off the instance
        def __init__(self) -> None:
            super().__init__(fail_on_errors=False)
            self.local = LocalFetcher()

        def fetch(self, url: str, headers: Any = None) -> Any:
            return self.local(url)

    return Fetcher()


def to_pdf(document: Document, fetcher: Any = None) -> bytes:
    import weasyprint

    html = render_to_string("documents/pdf.html", html_context(document))
    with open(str(finders.find("documents/print.css")), encoding="utf-8") as handle:
        base_css = handle.read()
    css = [weasyprint.CSS(string=base_css + profile_css(document.profile, screen=False, landscape=document.landscape))]
    fetcher = fetcher or _fetcher()
    pdf = weasyprint.HTML(string=html, base_url=PDF_BASE, url_fetcher=fetcher).write_pdf(stylesheets=css)
    return bytes(pdf or b"")


# ---------------------------------------------------------------- DOCX


def to_docx(document: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    profile = document.profile
    out = Docx()
    section = out.sections[0]
    if document.landscape:
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.orientation = WD_ORIENT.LANDSCAPE
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(float(profile.margin_top)), Mm(float(profile.margin_bottom))
    section.left_margin, section.right_margin = Mm(float(profile.margin_left)), Mm(float(profile.margin_right))
    normal = out.styles["Normal"]
    normal.font.name = profile.font_family
    normal.font.size = Pt(float(profile.body_size))
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = float(profile.line_spacing)
    center = WD_ALIGN_PARAGRAPH.CENTER

    def para(container, text, size=None, bold=False, italic=False, underline=False, align=center, caps=False):
        paragraph = container.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(text.upper() if caps else text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size is not None:
            run.font.size = Pt(float(size))
        return paragraph

    # Page numbers centred in the top margin, none on the first page.
    section.different_first_page_header_footer = profile.page_numbers_from > 1
    number = section.header.paragraphs[0]
    number.alignment = center
    _page_field(number.add_run(), float(profile.page_number_size))

    header = document.header
    head = out.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    left.paragraphs[0].text = ""
    if header.superior:
        para(left, header.superior, profile.superior_size, caps=True)
    para(left, header.issuer, profile.issuer_size, bold=True, caps=True)
    para(left, profile.issuer_mark or "———", profile.issuer_size)
    if not document.party:
        para(left, header.number, profile.number_size)
    if document.party:
        para(right, profile.title_text, profile.title_size, bold=True, underline=True)
        para(left, header.number, profile.number_size)
    else:
        para(right, profile.title_text, profile.title_size, bold=True)
        para(right, profile.motto_text, profile.motto_size, bold=True, underline=True)
    para(right, place_and_date(header.place, header.day), profile.place_date_size, italic=True)
    for cell in (left, right):
        if not cell.paragraphs[0].text and len(cell.paragraphs) > 1:
            cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)

    out.add_paragraph()
    para(out, document.kind, profile.kind_size, bold=True, caps=True)
    if document.subject:
        para(out, document.subject, profile.subject_size, bold=True)
    out.add_paragraph()
    for block in document.blocks:
        if isinstance(block, Table):
            _docx_table(out, block, Pt)
            out.add_paragraph()
            continue
        paragraph = out.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(float(profile.paragraph_spacing))
        if block.style == "body":
            paragraph.paragraph_format.first_line_indent = Mm(float(profile.first_line_indent))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif block.style in ("center", "subtitle"):
            paragraph.alignment = center
        if block.label:
            paragraph.add_run(block.label + " ").bold = True
        run = paragraph.add_run(block.text)
        run.bold = block.style in ("bold", "subtitle")
        run.italic = block.style == "italic"

    if document.signatures or document.recipients:
        _docx_signatures(out, document, para, Pt, WD_ALIGN_PARAGRAPH)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _page_field(run, size: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _docx_table(out, table: Table, Pt) -> None:
    heads = table.head_rows()
    n = len(table.columns)
    grid = out.add_table(rows=len(heads), cols=n)
    grid.style = "Table Grid"
    # Heads: walk the columns, merging spans.
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(heads):
        c = 0
        for head in row:
            while (r, c) in taken:
                c += 1
            cell = grid.cell(r, c)
            end_r, end_c = r + head["rowspan"] - 1, c + head["colspan"] - 1
            if (end_r, end_c) != (r, c):
                cell = cell.merge(grid.cell(end_r, end_c))
            for rr in range(r, end_r + 1):
                for cc in range(c, end_c + 1):
                    taken.add((rr, cc))
            cell.text = ""
            run = cell.paragraphs[0].add_run(head["text"])
            run.bold = True
            run.font.size = Pt(10)
            cell.paragraphs[0].alignment = 1
            c = end_c + 1
    for cells, bold in [(row, False) for row in table.rows] + ([(table.total, True)] if table.total else []):
        row = grid.add_row().cells
        for index, cell in enumerate(cells):
            row[index].text = ""
            run = row[index].paragraphs[0].add_run(cell.text)
            run.bold = bold
            run.font.size = Pt(10)
            if cell.numeric:
                row[index].paragraphs[0].alignment = 2


def _docx_signatures(out, document: Document, para, Pt, ALIGN) -> None:
    profile = document.profile
    signatures = document.signatures
    # Recipients on the left, the signer on the right (an official document); the two parties of a
    # record side by side.
    columns = (1 if document.recipients else 0) + max(len(signatures), 1)
    grid = out.add_table(rows=1, cols=columns)
    cells = grid.rows[0].cells
    start = 0
    if document.recipients:
        cell = cells[0]
        cell.paragraphs[0].text = ""
        label = cell.paragraphs[0].add_run(_("Nơi nhận:"))
        label.bold = label.italic = True
        label.font.size = Pt(float(profile.recipients_label_size))
        for recipient in document.recipients:
            para(cell, f"- {recipient};", profile.recipients_size, align=ALIGN.LEFT)
        start = 1
    for cell, signature in zip(cells[start:], signatures, strict=False):
        cell.paragraphs[0].text = ""
        if signature.authority:
            para(cell, signature.authority, profile.signer_size, bold=True, caps=True)
        para(cell, signature.position, profile.signer_size, bold=True, caps=True)
        if signature.hint:
            para(cell, signature.hint, 11, italic=True)
        for _blank in range(4):
            cell.add_paragraph()
        para(cell, signature.name, profile.signer_size, bold=True)


# ---------------------------------------------------------------- XLSX


def to_xlsx(document: Document) -> IO[bytes]:
    """The document's first table with its heads ("Cấp chất lượng – 1"), the header written above."""
    table = document.tables()[0]
    columns = [
        Column(f"{c.group} – {c.label}" if c.group else c.label, width=c.width, kind=c.kind) for c in table.columns
    ]
    rows = [[cell.value if cell.numeric else cell.text for cell in row] for row in table.rows]
    if table.total:
        rows.append([cell.value if cell.numeric else cell.text for cell in table.total])
    header = document.header
    filters = [
        (_("Cơ quan ban hành"), header.issuer),
        (_("Số"), header.number),
        (_("Ngày"), header.day.strftime("%d/%m/%Y")),
    ]
    if document.subject:
        filters.insert(0, (_("Trích yếu"), document.subject))
    return write_xlsx(title=document.kind, filters=filters, columns=columns, rows=rows, sheet=document.kind)


# ---------------------------------------------------------------- responses

DOWNLOADS = (("docx", "DOCX"), ("pdf", "PDF"), ("xlsx", "Excel"))
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def download(document: Document, form: str):
    """The document as a file of `form` (docx, pdf, xlsx), or None for the print view."""
    from django.http import HttpResponse

    from materiel.core.xlsx import xlsx_response

    if form == "xlsx" and document.tables():
        return xlsx_response(to_xlsx(document), f"{document.filename}.xlsx")
    if form not in CONTENT_TYPES:
        return None
    data = to_docx(document) if form == "docx" else to_pdf(document)
    response = HttpResponse(data, content_type=CONTENT_TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{document.filename}.{form}"'
    return response


def downloads(query, forms=("docx", "pdf", "xlsx")) -> list[tuple[str, str]]:
    """(label, address) of the document's files: the print view's query with `format=`."""
    links = []
    for form, label in DOWNLOADS:
        if form in forms:
            params = query.copy()
            params["format"] = form
            links.append((_("Tải %(form)s") % {"form": label}, f"?{params.urlencode()}"))
    return links
