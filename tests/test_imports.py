"""Importing registers: real XLSX files written by openpyxl (not our reader), every bad input, all-or-nothing."""

import io
import unicodedata
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from materiel.core.errors import DomainError
from materiel.equipment.models import Item, Lot, Status
from materiel.imports.commit import commit_plan, revert_batch
from materiel.imports.plan import build_plan
from materiel.imports.reader import FileRefused, read_table
from materiel.ledger import services
from materiel.ledger.models import Batch, BatchStatus, Event
from materiel.ledger.verify import verify_ledger


def nfd(text):
    return unicodedata.normalize("NFD", text)


def xlsx(rows, *, title=True, merge=True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sổ VKTBKT"
    if title:
        sheet.append(["BAN CHỈ HUY QUÂN SỰ HUYỆN BÁT XÁT"])
        sheet.append(["SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"])
        if merge:
            sheet.merge_cells("A1:F1")
            sheet.merge_cells("A2:F2")
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = [
    "STT",
    "SO HIEU",
    nfd("Tên VKTBKT"),
    "cấp chất lượng",
    "Năm SX",
    "Ngày nhập",
    "Số lượng",
    "Đơn vị quản lý",
    "Ghi chú",
]


def register() -> bytes:
    book = xlsx(
        [
            HEADER,
            [1, "AK 001", nfd("Súng tiểu liên AK-47"), "Cấp 1", 2015, date(2022, 3, 16), None, "", "mới"],
            [2, 12345, "sung tieu lien ak47", "cấp II", "2010", "16/3/2022", 1, nfd("Ban CHQS xã Y Tý"), ""],
            [3, "UAZ\u00a0 02 ", "Xe U-oát UAZ-469", "III", None, "16-03-2022", None, "huyen-a1", ""],
            [4, "", "Đạn 7,62mm K56", 2, None, "2021", "1.234", "", "lô 2021"],
            [None, None, None, None, None, None, None, None, None],
            ["", "", "Cộng", "", "", "", "", "", ""],
        ]
    )
    return book


@pytest.fixture
def plan(world):
    table = read_table(register(), "so-dang-ky.xlsx")
    return build_plan(table, actor=world.officer, unit=world.district_a1)


def test_the_header_is_found_below_titles_and_every_value_is_understood(world, plan):
    assert plan.ok, [str(i) for i in plan.issues]
    assert plan.header_row == 4 and plan.items == 3 and plan.lots == 1 and plan.skipped == 2
    rows = {r.row: r for r in plan.rows}
    assert (rows[5].serial, rows[5].grade, rows[5].received_on, rows[5].year_made) == (
        "AK 001",
        1,
        date(2022, 3, 16),
        2015,
    )
    assert (rows[6].serial, rows[6].grade, rows[6].unit, rows[6].received_on) == (
        "12345",
        2,
        world.commune_a1,
        date(2022, 3, 16),
    )
    assert (rows[7].serial, rows[7].equipment_type, rows[7].grade) == ("UAZ 02", world.truck, 3)
    assert (rows[8].kind, rows[8].quantity, rows[8].received_on) == ("lot", 1234, date(2021, 1, 1))


def test_commit_writes_one_batch_of_receipts_that_verify(world, plan):
    batch = commit_plan(plan, actor=world.officer, unit=world.district_a1)
    assert (batch.items, batch.lots) == (3, 1)
    assert Event.objects.filter(batch=batch).count() == 4
    assert Item.objects.get(serial="AK 001").note == "mới"
    assert Lot.objects.get().quantity == 1234
    assert verify_ledger().ok


def test_the_same_file_twice_is_refused_unless_the_user_insists(world, plan):
    commit_plan(plan, actor=world.officer, unit=world.district_a1)
    again = build_plan(read_table(register(), "so-dang-ky.xlsx"), actor=world.officer, unit=world.district_a1)
    assert any("đã có trong sổ" in i.message for i in again.issues)  # and its serials are duplicates now
    lots_only = xlsx([HEADER, [1, "", "Đạn 7,62mm K56", 1, None, "2021", 10, "", ""]])
    first = build_plan(read_table(lots_only, "dan.xlsx"), actor=world.officer, unit=world.district_a1)
    commit_plan(first, actor=world.officer, unit=world.district_a1)
    with pytest.raises(DomainError) as caught:
        commit_plan(first, actor=world.officer, unit=world.district_a1)
    assert caught.value.code == "conflict" and "đã được nhập" in caught.value.message
    commit_plan(first, actor=world.officer, unit=world.district_a1, force=True)
    assert Batch.objects.count() == 3


def test_a_batch_is_reverted_as_a_whole(world, plan):
    batch = commit_plan(plan, actor=world.officer, unit=world.district_a1)
    assert revert_batch(batch, actor=world.officer, reason="Nhập nhầm tệp") == 4
    assert set(Item.objects.values_list("status", flat=True)) == {Status.VOID}
    assert Lot.objects.get().quantity == 0
    assert Batch.objects.get().status == BatchStatus.REVERTED
    with pytest.raises(DomainError):
        revert_batch(batch, actor=world.officer, reason="lần nữa")
    assert verify_ledger().ok


def test_the_preview_finds_what_the_commit_would_refuse(world):
    # The ledger's rule (a receipt before the unit was founded) is found by the preview, by its cell.
    book = xlsx(
        [
            HEADER,
            [1, "AK-9", "Súng tiểu liên AK-47", 1, None, "01/01/2022", None, "", ""],
            [2, "AK-10", "Súng tiểu liên AK-47", 1, None, "01/01/2010", None, "", ""],
        ]
    )
    plan = build_plan(read_table(book, "x.xlsx"), actor=world.officer, unit=world.district_a1)
    assert [str(i)[:60] for i in plan.issues] == ["Dòng 6, cột F – Ngày nhập = “01/01/2010”: Ban CHQS huyện Bát"]
    assert "thành lập ngày 01/01/2015, sau ngày tiếp nhận 01/01/2010" in plan.issues[0].message


def test_a_rule_broken_at_commit_leaves_nothing_behind(world):
    book = xlsx(
        [
            HEADER,
            [1, "AK-9", "Súng tiểu liên AK-47", 1, None, "01/01/2022", None, "", ""],
            [2, "AK-10", "Súng tiểu liên AK-47", 1, None, "01/01/2022", None, "", ""],
        ]
    )
    plan = build_plan(read_table(book, "x.xlsx"), actor=world.officer, unit=world.district_a1)
    assert plan.ok
    # The register changes between the preview and the commit: the commit fails on that row, whole.
    services.record_receipt(
        equipment_type=world.rifle, serial="AK-10", unit=world.district_a2, grade=1, occurred_on=date(2023, 1, 1),
        actor=world.officer,
    )  # fmt: skip
    with pytest.raises(DomainError) as caught:
        commit_plan(plan, actor=world.officer, unit=world.district_a1)
    assert caught.value.message.startswith("Dòng 6:") and "đã có trong sổ" in caught.value.message
    assert (Item.objects.count(), Event.objects.count(), Batch.objects.count()) == (1, 1, 0)


def issues_of(world, rows, unit=None):
    plan = build_plan(read_table(xlsx([HEADER, *rows]), "x.xlsx"), actor=world.officer, unit=unit or world.district_a1)
    return [str(i) for i in plan.issues]


def test_each_bad_row_is_named_by_excel_row_column_value_and_reason(world):
    issues = issues_of(
        world,
        [
            [1, "A1", "Súng tiểu liên AK-47", 7, None, None, None, "", ""],
            [2, "A2", "Súng tiêu liên AK47x", 1, None, None, None, "", ""],
            [3, "A3", "Súng tiểu liên AK-47", 1, None, "31/02/2022", None, "", ""],
            [4, "A4", "Súng tiểu liên AK-47", 1, None, None, None, "Đồn Biên phòng Ma Lù Thàng", ""],
            [5, "A5", "Súng tiểu liên AK-47", 1, None, None, None, "", ""],
            [6, "A5", "Súng tiểu liên AK-47", 1, None, None, None, "", ""],
            [7, "", "Súng tiểu liên AK-47", 1, None, None, None, "", ""],
            [8, "A8", "Súng tiểu liên AK-47", 1, None, "01/01/2099", None, "", ""],
        ],
    )
    assert (
        issues[0] == "Dòng 5, cột D – cấp chất lượng = “7”: Cấp chất lượng phải từ 1 đến 5 (ví dụ 1, Cấp 2, cấp III)."
    )
    assert issues[1].startswith("Dòng 6, cột C") and "Có phải: Súng tiểu liên AK-47?" in issues[1]
    assert issues[2].startswith("Dòng 7, cột F – Ngày nhập = “31/02/2022”")
    assert issues[3].startswith("Dòng 8, cột H") and "không có trong phạm vi" in issues[3]
    assert issues[4] == "Dòng 10, cột B – SO HIEU = “A5”: Trùng số hiệu với dòng 9 của tệp."
    assert issues[5] == "Dòng 11, cột B – SO HIEU: Thiếu số hiệu."
    assert issues[6].startswith("Dòng 12, cột F") and "tương lai" in issues[6]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7 not a register", "không phải XLSX hay CSV"),
        (b"PK\x03\x04 broken", "bị hỏng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "mật khẩu"),
        (b"", "rỗng"),
    ],
)
def test_files_that_are_not_registers_are_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRefused) as caught:
        read_table(data, "so.xlsx")
    assert message in caught.value.message


def test_an_empty_sheet_and_a_sheet_without_header_are_refused(world):
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRefused, match="không có dữ liệu"):
        read_table(buffer.getvalue(), "rong.xlsx")
    table = read_table(xlsx([["a", "b", "c"], [1, 2, 3]], title=False), "x.xlsx")
    with pytest.raises(FileRefused, match="dòng tiêu đề"):
        build_plan(table, actor=world.officer, unit=world.district_a1)


def test_huge_declared_sizes_and_compression_bombs_are_refused_before_reading():
    book = openpyxl.Workbook()
    book.active["A1"] = "Số hiệu"
    book.active.cell(row=300_000, column=1, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRefused, match="quá lớn"):
        read_table(buffer.getvalue(), "lon.xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 20_000_000)
    with pytest.raises(FileRefused, match="giải nén"):
        read_table(bomb.getvalue(), "bom.xlsx")


def test_csv_registers_are_read_too(world):
    text = "Số hiệu;Tên trang bị;Cấp chất lượng\nAK-C1;Súng tiểu liên AK-47;cấp I\n"
    plan = build_plan(read_table(text.encode(), "so.csv"), actor=world.officer, unit=world.district_a1)
    assert plan.ok and plan.rows[0].serial == "AK-C1"


def test_command_line_dry_run_then_import_then_revert(world, tmp_path, capsys):
    path = tmp_path / "so-dang-ky.xlsx"
    path.write_bytes(register())
    call_command("import", str(path), unit="huyen-a1", user="tlkt-a", dry_run=True)
    out = capsys.readouterr().out
    assert "dòng tiêu đề 4" in out and "Sẽ nhập 3 trang bị và 1 lô" in out and Item.objects.count() == 0
    call_command("import", str(path), unit="huyen-a1", user="tlkt-a")
    batch = Batch.objects.get()
    assert Item.objects.count() == 3
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(xlsx([HEADER, [1, "Z1", "Súng tiểu liên AK-47", 9, None, None, None, "", ""]]))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import", str(bad), unit="huyen-a1", user="tlkt-a")
    assert "Dòng 5, cột D" in capsys.readouterr().err
    with pytest.raises(CommandError, match="phạm vi"):
        call_command("import", str(path), unit="don-b1", user="tlkt-a")
    call_command("import", revert=batch.pk, user="tlkt-a")
    assert Batch.objects.get().status == BatchStatus.REVERTED and verify_ledger().ok
