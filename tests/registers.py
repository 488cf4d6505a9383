"""Registers as units really keep them, written by xlsxwriter and by openpyxl (never by our reader):
an instruction sheet first, titles, a header over two rows with merged cells, the row of column
numbers, section rows, subtotals and totals, and the signature block at the bottom."""

import io
from datetime import date

import openpyxl
import xlsxwriter

INSTRUCTIONS = [
    ["HƯỚNG DẪN GHI SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"],
    [],
    ["Cột", "Cách ghi"],
    ["Số hiệu", "Số hiệu, số máy hoặc số khung của từng chiếc"],
    ["Cấp chất lượng", "Ghi số lượng vào cột cấp tương ứng (cấp 1 đến cấp 5)"],
    ["Ghi chú", "Nguồn gốc, số quyết định cấp phát"],
]
TITLES = [["BAN CHỈ HUY QUÂN SỰ HUYỆN BÁT XÁT"], ["SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"], []]
TOP = ["STT", "Số hiệu", "Tên VKTBKT", "ĐVT", "Số lượng", "", "", "", "", "", "Ngày nhận", "Ghi chú"]
SUB = ["", "", "", "", "Tổng số", "Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4", "Cấp 5", "", ""]
MERGES = ["A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:J4", "K4:K5", "L4:L5", "A1:L1", "A2:L2"]
BODY = [
    [f"({n})" for n in range(1, 13)],
    ["I.", "VŨ KHÍ BỘ BINH"],
    [1, "AK-01", "Súng tiểu liên AK-47", "khẩu", 1, 1, None, None, None, None, date(2022, 3, 16), ""],
    [2, "AK-02", "Súng tiểu liên AK-47", "khẩu", 1, None, "x", None, None, None, "16/03/2022", "mượn"],
    ["", "", "Cộng mục I", "", 2, 1, 1],
    ["II.", "ĐẠN DƯỢC"],
    ["", "", "Đạn bộ binh"],
    [3, "", "Đạn 7,62mm K56", "viên", 1500, 1000, 500, None, None, None, "2021", "lô 2021"],
    ["", "", "Tổng cộng", "", 1502, 1001, 501],
    [],
    ["", "", "", "", "", "", "", "", "Lào Cai, ngày 15 tháng 3 năm 2024"],
    ["NGƯỜI LẬP SỔ", "", "", "", "", "", "", "", "THỦ TRƯỞNG ĐƠN VỊ"],
    ["(Ký, ghi rõ họ tên)", "", "", "", "", "", "", "", "(Ký, ghi rõ họ tên, đóng dấu)"],
    ["Thượng úy", "", "", "", "", "", "", "", "Đại tá"],
    ["Nguyễn Văn An", "", "", "", "", "", "", "", "Lò Văn Páo"],
]
# Row numbers as Excel shows them (the header is rows 4 and 5).
HEADER_ROW = 4
SKIPPED = {
    6: "column_numbers",
    7: "section",
    10: "total",
    11: "section",
    12: "section",
    14: "total",
    16: "signature",
    17: "signature",
    18: "signature",
    19: "signature",
    20: "signature",
}


def standard_form(writer: str = "xlsxwriter", *, name_header: str = "Tên VKTBKT", instructions: bool = True) -> bytes:
    """The standard Vietnamese register form, with an instruction sheet in front of it."""
    sheets = []
    if instructions:
        sheets.append(("Hướng dẫn", INSTRUCTIONS, []))
    top = [name_header if cell == "Tên VKTBKT" else cell for cell in TOP]
    sheets.append(("Sổ VKTBKT", [*TITLES, top, SUB, *BODY], MERGES))
    return write(sheets, writer)


def write(sheets, writer: str = "xlsxwriter") -> bytes:
    """[(sheet name, rows, merged ranges like "E4:J4")] as an XLSX written by xlsxwriter or openpyxl."""
    buffer = io.BytesIO()
    if writer == "xlsxwriter":
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        for name, rows, merges in sheets:
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, date):
                        sheet.write_datetime(r, c, value, dates)
                    elif value not in (None, ""):
                        sheet.write(r, c, value)
            for ref in merges:
                first, last = ref.split(":")
                (r0, c0), (r1, c1) = _cell(first), _cell(last)
                sheet.merge_range(r0, c0, r1, c1, rows[r0][c0] if c0 < len(rows[r0]) else "")
        book.close()
        return buffer.getvalue()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, merges in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
        for ref in merges:
            sheet.merge_cells(ref)
    book.save(buffer)
    return buffer.getvalue()


def _cell(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, column - 1
