"""Reading a register file into rows of cells, refusing what is not one before it costs memory.

XLSX is read with calamine (fast, typed cells); CSV with the standard library. The file's real kind
is decided by its first bytes, not its extension.
"""

import csv
import hashlib
import html
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from materiel.core.errors import DomainError
from materiel.formats import numbers

from .columns import find_header

# Limits, documented in docs/imports.md. A register of 100,000 rows is well inside them.
MAX_BYTES = 60 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 200
MAX_UNCOMPRESSED = 600 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for the whole archive: beyond it is a "zip bomb"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted (password-protected) .xlsx
# Files people attach by mistake: PDF, images, archives, executables.
OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"\x7fELF", b"MZ")


class FileRefused(DomainError):
    def __init__(self, message: str):
        super().__init__(message, field="file", code="invalid")


@dataclass
class Table:
    name: str  # the file's name
    rows: list[list]
    file_hash: str
    sheet: str = ""  # the sheet read (a CSV's file name)
    merged: list = field(default_factory=list)  # merged ranges of that sheet: ((row, col), (row, col))
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook, in order
    registers: list[str] = field(default_factory=list)  # the sheets whose header names a type and a grade
    chosen: bool = False  # the sheet was named by the user, not picked by the reader


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> Table:
    """The sheet that holds a register (or the one named by `sheet`) of an XLSX, or a CSV, as rows of cells.

    Every sheet is looked at: the register is the sheet whose header names a type and a grade, so an
    instruction or cover sheet in front of it is passed over. When two sheets hold one, the first is
    read and `registers` names both, for the user to choose."""
    if not data:
        raise FileRefused(_("Tệp rỗng."))
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("Tệp quá lớn (%(size)s MB); giới hạn %(limit)s MB.")
            % {"size": len(data) // 2**20, "limit": MAX_BYTES // 2**20}
        )
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            _("Tệp được đặt mật khẩu hoặc là định dạng .xls cũ: hãy mở bằng Excel, bỏ mật khẩu và lưu lại dạng .xlsx.")
        )
    if data.startswith(OTHER_MAGIC):
        raise FileRefused(_("Tệp không phải XLSX hay CSV (dù đuôi tệp là gì)."))
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data, sheet)
        table.name, table.file_hash = filename or table.sheet, digest
        return table
    name = filename or "CSV"
    return Table(name, _read_csv(data), digest, sheet=name, sheets=[name], registers=[name], chosen=True)


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(_("Tệp Excel bị hỏng, không đọc được.")) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("Tệp không phải bảng tính Excel (.xlsx)."))
    if total > MAX_UNCOMPRESSED or total > MAX_RATIO * len(data):
        raise FileRefused(
            _("Tệp khai báo dữ liệu giải nén quá lớn (%(size)s MB); tệp bị từ chối để bảo vệ máy chủ.")
            % {"size": total // 2**20}
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_dimensions(archive)


DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{1,3})(\d+))?\"")
SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
RELATION = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")


def _attribute(tag: bytes, name: bytes) -> str:
    found = re.search(rb"\s" + name + rb'="([^"]*)"', tag)
    return html.unescape(found.group(1).decode("utf-8", "replace")) if found else ""


HEAD_BYTES = 16 * 1024  # the dimension is the second element of a sheet: it sits in the first bytes


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part (xl/worksheets/sheet1.xml) -> the sheet's name, read from the workbook's small XML."""
    try:
        book = archive.read("xl/workbook.xml")[: 4 * 1024 * 1024]
        rels = archive.read("xl/_rels/workbook.xml.rels")[: 4 * 1024 * 1024]
    except KeyError:
        return {}
    targets = {_attribute(tag, b"Id"): _attribute(tag, b"Target") for tag in RELATION.findall(rels)}
    names = {}
    for tag in SHEET.findall(book):
        target = targets.get(_attribute(tag, b"r:id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        names[part] = _attribute(tag, b"name")
    return names


def _check_dimensions(archive: zipfile.ZipFile) -> None:
    """Refuse a sheet whose declared range (<dimension ref="A1:XFD1048576"/>) is beyond the limits,
    from the first bytes of its XML, before calamine would lay the range out."""
    names = _sheet_names(archive)
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as part:
            head = part.read(HEAD_BYTES)
        found = DIMENSION.search(head)
        if not found or not found.group(3):
            continue
        rows = int(found.group(4))
        columns = _column_number(found.group(3).decode())
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            ref = (found.group(1) + found.group(2) + b":" + found.group(3) + found.group(4)).decode()
            raise FileRefused(
                _(
                    "Trang tính “%(name)s” quá lớn: khai báo vùng dữ liệu %(ref)s (%(rows)s dòng × %(cols)s cột); "
                    "giới hạn %(limit)s dòng và %(limit_cols)s cột."
                )
                % {
                    "name": names.get(info.filename, info.filename),
                    "ref": ref,
                    "rows": numbers.number(rows),
                    "cols": numbers.number(columns),
                    "limit": numbers.number(MAX_ROWS),
                    "limit_cols": numbers.number(MAX_COLUMNS),
                }
            )


def _read_xlsx(data: bytes, wanted: str | None) -> Table:
    _check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError:
        raise FileRefused(_("Tệp Excel bị hỏng, không đọc được.")) from None
    except Exception as error:  # calamine raises its own types for password and format errors
        raise FileRefused(_("Không đọc được tệp Excel: %(error)s") % {"error": type(error).__name__}) from None
    names = list(workbook.sheet_names)
    if wanted is not None and wanted not in names:
        raise FileRefused(
            _("Tệp không có trang tính “%(name)s”; các trang tính: %(names)s.")
            % {"name": wanted, "names": ", ".join(f"“{n}”" for n in names)}
        )
    found: dict[str, tuple[list[list], list]] = {}
    for name in [wanted] if wanted is not None else names:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.total_height > MAX_ROWS or sheet.total_width > MAX_COLUMNS:
            raise FileRefused(
                _("Trang tính “%(name)s” quá lớn (%(rows)s dòng × %(cols)s cột); giới hạn %(limit)s dòng.")
                % {
                    "name": name,
                    "rows": numbers.number(sheet.total_height),
                    "cols": numbers.number(sheet.total_width),
                    "limit": numbers.number(MAX_ROWS),
                }
            )
        rows = sheet.to_python(skip_empty_area=False)
        if any(any(_filled(cell) for cell in row) for row in rows):
            found[name] = (rows, list(sheet.merged_cell_ranges or []))
    if not found:
        if wanted is not None:
            raise FileRefused(_("Trang tính “%(name)s” không có dữ liệu.") % {"name": wanted})
        raise FileRefused(_("Bảng tính không có dữ liệu."))
    registers = []
    for name, (rows, merged) in found.items():
        header = find_header(rows, merged)
        if header is not None and header.holds_register:
            registers.append(name)
    chosen = wanted or (registers[0] if registers else next(iter(found)))
    rows, merged = found[chosen]
    return Table(chosen, rows, "", sheet=chosen, merged=merged, sheets=names, registers=registers, chosen=bool(wanted))


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("Tệp không phải XLSX hay CSV đọc được."))
    if "\x00" in text:
        raise FileRefused(_("Tệp không phải XLSX hay CSV đọc được."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if number > MAX_ROWS:
            raise FileRefused(_("Tệp quá nhiều dòng; giới hạn %(limit)s dòng.") % {"limit": numbers.number(MAX_ROWS)})
        rows.append(row)
    if not any(any(_filled(cell) for cell in row) for row in rows):
        raise FileRefused(_("Tệp không có dữ liệu."))
    return rows


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""
