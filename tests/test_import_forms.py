"""Real registers: the sheet that holds the register, the header over two merged rows, and the rows of
the standard form that are not equipment. Files are written by xlsxwriter and by openpyxl."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from materiel.equipment.models import Item, Lot
from materiel.imports.commit import commit_plan
from materiel.imports.plan import build_plan
from materiel.imports.reader import FileRefused, read_table
from materiel.ledger.models import Batch
from materiel.ledger.verify import verify_ledger

from .registers import HEADER_ROW, INSTRUCTIONS, SKIPPED, standard_form, write

WRITERS = ["xlsxwriter", "openpyxl"]


def plan_of(world, data, **options):
    sheet = options.pop("sheet", None)
    return build_plan(read_table(data, "so.xlsx", sheet=sheet), actor=world.officer, unit=world.district_a1, **options)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("name_header", ["Tên VKTBKT", "Tên trang bị"])
def test_the_standard_form_behind_an_instruction_sheet_is_read(world, writer, name_header):
    plan = plan_of(world, standard_form(writer, name_header=name_header))
    assert plan.ok, [str(i) for i in plan.issues]
    assert (plan.sheet, plan.sheets) == ("Sổ VKTBKT", ["Hướng dẫn", "Sổ VKTBKT"])
    assert (plan.header_row, plan.header_height) == (HEADER_ROW, 2)
    # The header names are kept as the file writes them, the merged one over its sub-headers.
    assert plan.labels[2] == name_header and plan.labels[4] == "Số lượng / Tổng số"
    assert plan.labels[5] == "Số lượng / Cấp 1" and plan.columns[9] == "grade_5"
    rows = [(r.row, r.kind, r.serial, r.grade, r.quantity, r.received_on) for r in plan.rows]
    assert rows == [
        (8, "item", "AK-01", 1, 1, date(2022, 3, 16)),
        (9, "item", "AK-02", 2, 1, date(2022, 3, 16)),  # an "x" in the column of grade 2
        (13, "lot", "", 1, 1000, date(2021, 1, 1)),  # one lot receipt per grade of the counted row
        (13, "lot", "", 2, 500, date(2021, 1, 1)),
    ]
    assert {s.row: s.kind for s in plan.skipped_rows} == SKIPPED
    assert plan.skipped == len(SKIPPED) + 1  # and the blank row 15
    signature = {s.row: s.text for s in plan.skipped_rows if s.kind == "signature"}
    assert "NGƯỜI LẬP SỔ" in signature[17] and "Lò Văn Páo" in signature[20]

    batch = commit_plan(plan, actor=world.officer, unit=world.district_a1)
    assert (batch.items, batch.lots) == (2, 2)
    assert batch.details["sheet"] == "Sổ VKTBKT" and batch.details["headers"]["2"] == name_header
    assert sorted(Lot.objects.values_list("grade", "quantity")) == [(1, 1000), (2, 500)]
    assert Item.objects.get(serial="AK-02").note == "mượn"
    assert verify_ledger().ok


def test_a_workbook_whose_first_sheet_is_instructions_was_refused_before():
    # What the reader does with each sheet: the instructions hold no register, the form does.
    table = read_table(standard_form(), "so.xlsx")
    assert table.registers == ["Sổ VKTBKT"] and table.sheet == "Sổ VKTBKT"
    only = write([("Hướng dẫn", INSTRUCTIONS, [])])
    with pytest.raises(FileRefused) as caught:
        build_plan(read_table(only, "hd.xlsx"), actor=None, unit=None)
    assert "trang tính “Hướng dẫn”" in caught.value.message and "Không tìm thấy dòng tiêu đề" in caught.value.message


@pytest.mark.parametrize("writer", WRITERS)
def test_two_sheets_holding_a_register_ask_which_one(world, writer):
    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    data = write(
        [
            ("Năm 2023", [header, ["AK-23", "Súng tiểu liên AK-47", 1]], []),
            ("Năm 2024", [header, ["AK-24", "Súng tiểu liên AK-47", 2]], []),
        ],
        writer,
    )
    plan = plan_of(world, data)
    assert plan.sheet == "Năm 2023" and plan.registers == ["Năm 2023", "Năm 2024"]
    assert [str(i) for i in plan.issues] == [
        "Dòng 1, cột —: Tệp có 2 trang tính chứa sổ: “Năm 2023”, “Năm 2024”. "
        "Đang đọc “Năm 2023”: hãy chọn trang tính cần nhập."
    ]
    chosen = plan_of(world, data, sheet="Năm 2024")
    assert chosen.ok and [r.serial for r in chosen.rows] == ["AK-24"]
    with pytest.raises(FileRefused, match="không có trang tính “Năm 2025”; các trang tính: “Năm 2023”, “Năm 2024”"):
        read_table(data, "so.xlsx", sheet="Năm 2025")


def test_another_header_row_can_be_chosen(world):
    # Two tables on one sheet: the user says the register is the one whose header is on row 4.
    data = write(
        [
            (
                "Sổ",
                [
                    ["Số hiệu", "Tên trang bị", "Cấp chất lượng", "Ghi chú"],
                    ["AK-1", "Súng tiểu liên AK-47", 1, ""],
                    [],
                    ["Số hiệu", "Tên trang bị", "Cấp"],
                    ["AK-2", "Súng tiểu liên AK-47", 3],
                ],
                [],
            )
        ]
    )
    assert plan_of(world, data).header_row == 1
    plan = plan_of(world, data, header_row=4)
    assert plan.ok and plan.header_row == 4 and [(r.serial, r.grade) for r in plan.rows] == [("AK-2", 3)]
    with pytest.raises(FileRefused, match="Dòng tiêu đề 40 nằm ngoài trang tính “Sổ” \\(5 dòng\\)"):
        plan_of(world, data, header_row=40)


def test_grades_counted_by_column_must_add_up_and_an_item_has_one_grade(world):
    top = ["Số hiệu", "Tên trang bị", "Số lượng", "", ""]
    sub = ["", "", "Tổng số", "Cấp 1", "Cấp 2"]
    data = write(
        [
            (
                "Sổ",
                [
                    top,
                    sub,
                    ["", "Đạn 7,62mm K56", 100, 60, 30],
                    ["AK-1", "Súng tiểu liên AK-47", 1, 1, 1],
                    ["AK-2", "Súng tiểu liên AK-47", 1, None, None],
                ],
                ["C1:E1", "A1:A2", "B1:B2"],
            )
        ]
    )
    issues = [str(i) for i in plan_of(world, data).issues]
    assert issues == [
        "Dòng 3, cột C – Số lượng / Tổng số = “100”: Tổng số 100 khác tổng số lượng các cấp (90).",
        "Dòng 4, cột D – Số lượng / Cấp 1: Trang bị quản lý theo số hiệu: "
        "ghi 1 (hoặc x) vào đúng một cột cấp chất lượng.",
        "Dòng 5, cột D – Số lượng / Cấp 1: Thiếu cấp chất lượng.",
    ]


def test_a_data_row_is_never_taken_for_a_section_or_a_total(world):
    header = ["STT", "Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    data = write(
        [
            (
                "Sổ",
                [
                    header,
                    [1, "", "Súng tiểu liên AK-47", ""],  # a real row with its serial and grade missing
                    [2, "CB-1", "Công binh", 1],  # a type name beginning like "Cộng" is not a total
                    ["", "", "Súng tiểu liên AK-47", ""],  # a type name alone is a row, not a section
                ],
                [],
            )
        ]
    )
    plan = plan_of(world, data)
    assert not plan.skipped_rows
    assert {i.row for i in plan.issues} == {2, 3, 4}


def test_the_command_line_names_the_sheet_the_header_and_what_was_skipped(world, tmp_path, capsys):
    path = tmp_path / "so-dang-ky.xlsx"
    path.write_bytes(standard_form("openpyxl"))
    call_command("import", str(path), unit="huyen-a1", user="tlkt-a", dry_run=True)
    out = capsys.readouterr().out
    assert "trang tính “Sổ VKTBKT”: dòng tiêu đề 4 (hai dòng, tới dòng 5)" in out
    assert "F “Số lượng / Cấp 1” → Số lượng cấp 1" in out
    assert "Các trang tính khác: Hướng dẫn (chọn bằng --sheet TÊN)" in out
    assert "dòng 6 – Dòng đánh số cột: (1) · (2)" in out and "dòng 17 – Phần ký tên: NGƯỜI LẬP SỔ" in out
    assert "dòng 14 – Dòng cộng, tổng cộng: Tổng cộng" in out and "dòng 7 – Dòng tên mục, nhóm: I." in out
    with pytest.raises(CommandError, match="dòng tiêu đề"):
        call_command("import", str(path), unit="huyen-a1", user="tlkt-a", sheet="Hướng dẫn", dry_run=True)
    call_command("import", str(path), unit="huyen-a1", user="tlkt-a", sheet="Sổ VKTBKT", header_row=4)
    assert Batch.objects.get().items == 2


def unit_file(*names, writer="xlsxwriter", prefix="S"):
    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    rows = [[f"{prefix}-{n}", name, 1] for n, name in enumerate(names, start=1)]
    return write([("Sổ", [header, *rows], [])], writer)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_name_the_catalogue_lacks_is_mapped_once_for_the_file_and_remembered_for_the_unit(world, writer):
    from materiel.imports.models import TypeAlias
    from materiel.imports.plan import types_by_code

    data = unit_file("Súng AK báng gấp", "Súng AK báng gấp", "Xe U-oát UAZ-469", writer=writer)
    plan = plan_of(world, data)
    assert [i.row for i in plan.issues] == [2, 3]
    unknown = plan.unknown_types["Súng AK báng gấp"]
    assert (unknown["rows"], unknown["first_row"]) == (2, 2)
    mapped = plan_of(world, data, types=types_by_code({"Súng AK báng gấp": "ak47"}))
    assert mapped.ok and [r.equipment_type for r in mapped.rows] == [world.rifle, world.rifle, world.truck]
    assert mapped.mapped_types == {"Súng AK báng gấp": (world.rifle, "mapped")}
    commit_plan(mapped, actor=world.officer, unit=world.district_a1)
    alias = TypeAlias.objects.get()
    assert (alias.unit, alias.name, alias.equipment_type) == (world.district_a1, "Súng AK báng gấp", world.rifle)
    # The unit's next file needs no mapping (any case, any diacritics); another unit's still does.
    again = plan_of(world, unit_file("sung ak BANG GAP", prefix="T"))
    assert again.ok and again.mapped_types == {"sung ak BANG GAP": (world.rifle, "remembered")}
    other = build_plan(read_table(unit_file("Súng AK báng gấp"), "x.xlsx"), actor=world.officer, unit=world.district_a2)
    assert not other.ok
    with pytest.raises(Exception, match="không có chủng loại mã “khong-co”"):
        types_by_code({"X": "khong-co"})


def test_the_command_line_maps_type_names(world, tmp_path, capsys):
    path = tmp_path / "so.xlsx"
    path.write_bytes(unit_file("Súng AK báng gấp"))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import", str(path), unit="huyen-a1", user="tlkt-a", dry_run=True)
    assert "dùng --map “Súng AK báng gấp=MÃ”" in capsys.readouterr().err
    with pytest.raises(CommandError, match="cần dạng"):
        call_command("import", str(path), unit="huyen-a1", user="tlkt-a", mapping=["không có dấu bằng"])
    call_command("import", str(path), unit="huyen-a1", user="tlkt-a", mapping=["Súng AK báng gấp=ak47"])
    assert "hiểu là Súng tiểu liên AK-47 (ak47, --map)" in capsys.readouterr().out
    assert Item.objects.get().equipment_type == world.rifle


def declare_dimension(data: bytes, ref: str) -> bytes:
    """The same XLSX with its first sheet's <dimension> declaring `ref`, the rest of the zip unchanged."""
    import io
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), content)
                assert count == 1
            target.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize("writer", WRITERS)
def test_a_huge_declared_dimension_is_refused_by_the_limits_before_parsing(world, writer):
    import time

    rows = [["Số hiệu", "Tên trang bị", "Cấp"], ["AK-1", "AK-47", 1]]
    data = declare_dimension(write([("Sổ lớn", rows, [])], writer), "A1:XFD1048576")
    started = time.monotonic()
    with pytest.raises(FileRefused) as caught:
        read_table(data, "lon.xlsx")
    assert time.monotonic() - started < 1
    assert caught.value.message == (
        "Trang tính “Sổ lớn” quá lớn: khai báo vùng dữ liệu A1:XFD1048576 (1.048.576 dòng × 16.384 cột); "
        "giới hạn 250.000 dòng và 200 cột."
    )
    # A modest declared range is read as before.
    fine = declare_dimension(
        write([("Sổ", [["Số hiệu", "Tên trang bị", "Cấp"], ["AK-1", "AK-47", 1]], [])], writer), "A1:C2"
    )
    assert read_table(fine, "nho.xlsx").sheet == "Sổ"
