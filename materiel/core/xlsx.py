"""Writing any list as an XLSX people can file and re-import.

Vietnamese headers, the filters used written above the table, a frozen header row, number/date
formats, a Vietnamese sheet name, and column widths measured on what was written (between the
column's own width and MAX_WIDTH: unit names are long, grades are not). Rows are written one by one
in xlsxwriter's constant-memory mode into a temporary file, so a million-row export never holds the
list in memory. Text is always written as text, and text that Excel would read as a formula (=, +,
-, @, tab, CR) is marked quote-prefixed: shown as typed, never evaluated, and read back unchanged.
"""

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
from django.utils.translation import gettext
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from django.http import FileResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Widths in Excel's character units: a column is never narrower than its spec's width (room for
# its header) and never wider than MAX_WIDTH, however long one cell is.
MAX_WIDTH = 60
# What Excel refuses in a sheet name, and its length limit.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_LENGTH = 31
NUMBER_KINDS = ("int", "decimal", "year", "id")


@dataclass(frozen=True)
class Column:
    header: StrOrPromise
    width: int = 14  # the least width; the content widens it (MAX_WIDTH)
    # text, int, decimal, date, datetime; year and id are integers shown as written ("1993", not "1.993").
    kind: str = "text"


def sheet_name(name: StrOrPromise) -> str:
    """A sheet name Excel accepts, diacritics kept: no []:*?/\\ characters, at most 31 characters,
    no apostrophe at either end, never empty."""
    name = " ".join(SHEET_FORBIDDEN.sub(" ", str(name)).split())[:SHEET_LENGTH].strip().strip("'").strip()
    return name or "Sheet1"


def _shown_length(column: Column, value: object) -> int:
    """About how many characters the cell shows."""
    if isinstance(value, str):
        return len(value) if "\n" not in value else max(len(line) for line in value.splitlines())
    if column.kind == "date":
        return 10
    if column.kind == "datetime":
        return 16
    if column.kind == "int" or column.kind == "decimal":
        return len(f"{value:,.1f}" if column.kind == "decimal" else f"{value:,}")
    return len(str(value))


def write_xlsx(
    *,
    title: StrOrPromise,
    filters: Sequence[tuple[StrOrPromise, StrOrPromise]],
    columns: list[Column],
    rows: Iterable[Sequence[object]],
    sheet: StrOrPromise = "",
) -> IO[bytes]:
    """The workbook in a temporary file, rewound, ready to stream; the caller closes it."""
    output = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open to the caller
    book = xlsxwriter.Workbook(
        output.name,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    styles = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "filter": book.add_format({"italic": True, "font_color": "#444444"}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#E9EEE9", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": book.add_format({"border": 1}),
        "unsafe": book.add_format({"border": 1, "quote_prefix": True}),
        "int": book.add_format({"border": 1, "num_format": "#,##0"}),
        "year": book.add_format({"border": 1, "num_format": "0"}),
        "id": book.add_format({"border": 1, "num_format": "0"}),
        "decimal": book.add_format({"border": 1, "num_format": "#,##0.0"}),
        "date": book.add_format({"border": 1, "num_format": "dd/mm/yyyy"}),
        "datetime": book.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm"}),
    }
    ws = book.add_worksheet(sheet_name(sheet or gettext("Danh sách")))
    ws.write_string(0, 0, str(title), styles["title"])
    line = 1
    for label, chosen in filters:
        ws.write_string(line, 0, f"{label}: {chosen}", styles["filter"])
        line += 1
    header_row = line + 1
    # The header wraps: its longest word is what it needs at least.
    widths = [max(column.width, *(len(word) + 2 for word in str(column.header).split())) for column in columns]
    for index, column in enumerate(columns):
        ws.write_string(header_row, index, str(column.header), styles["header"])
    ws.freeze_panes(header_row + 1, 0)
    for number, row in enumerate(rows, start=header_row + 1):
        for index, (column, value) in enumerate(zip(columns, row, strict=True)):
            _write(ws, number, index, column, value, styles)
            if value is not None and value != "":
                widths[index] = max(widths[index], min(_shown_length(column, value) + 2, MAX_WIDTH))
    # Column widths go into the sheet's header when the book closes, so they can follow the rows
    # even in constant-memory mode.
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    book.close()
    output.seek(0)
    return output


def _write(ws: Any, row: int, col: int, column: Column, value: object, styles: dict[str, Any]) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, styles["text"])
    elif column.kind == "datetime" and isinstance(value, datetime):
        ws.write_datetime(row, col, value, styles["datetime"])
    elif column.kind == "date" and isinstance(value, date | datetime):
        ws.write_datetime(
            row, col, datetime.combine(value, datetime.min.time()) if type(value) is date else value, styles["date"]
        )
    elif (
        column.kind in ("int", "decimal", "year", "id")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        ws.write_number(row, col, value, styles[column.kind])
    else:
        text = str(value)
        ws.write_string(row, col, text, styles["unsafe" if text.startswith(FORMULA_STARTS) else "text"])


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(output: IO[bytes], filename: str) -> "FileResponse":
    """Stream a written workbook as a download; the temporary file closes when the response does."""
    from django.http import FileResponse

    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
