"""The import wizard end to end through the pages: upload, preview, column mapping, commit, background
runs through the real django-tasks database queue and worker, cancel, revert; and the other exports."""

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from materiel.core.middleware import REFRESHED_AT
from materiel.equipment.models import Item, Lot
from materiel.imports import jobs, progress
from materiel.imports.models import ImportJob, JobState
from materiel.ledger import services
from materiel.ledger.models import Batch, BatchStatus
from materiel.ledger.verify import verify_ledger

from .test_imports import register, xlsx


def upload(client, data, unit="tinh-a", name="so-dang-ky.xlsx", **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/nhap-xuat/tai-len/?unit={unit}", {"file": file, **extra})


def job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def run_worker():
    """The real database worker, in batch mode: runs every queued task, then returns."""
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer)
    return client


def test_a_small_file_is_checked_at_once_and_previewed_with_its_columns(officer, world):
    job = job_of(upload(officer, register()))
    assert job.state == JobState.REVIEW
    assert job.summary["rows"] == 4 and job.summary["items"] == 3 and job.summary["lots"] == 1
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert "Chờ xác nhận" in page and "Ghi 4 dòng vào sổ" in page
    # The column mapping is shown with what each header was understood as.
    assert 'name="col-1"' in page and '<option value="serial" selected>' in page
    # The preview names the rows as Excel numbers them.
    assert "AK 001" in page and "Súng tiểu liên AK-47" in page
    assert not Item.objects.exists(), "nothing is written before the user confirms"


def test_confirming_writes_one_batch_and_the_batch_can_be_reverted(officer, world):
    job = job_of(upload(officer, register()))
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message
    assert job.batch.items == 3 and job.batch.lots == 1
    assert Item.objects.filter(events__batch=job.batch).count() == 3
    assert job.data == b"" or bytes(job.data) == b""
    listing = officer.get("/nhap-xuat/?unit=tinh-a").content.decode()
    assert "so-dang-ky.xlsx" in listing and "3 trang bị, 1 lô" in listing

    officer.post(f"/nhap-xuat/nhap/{job.pk}/hoan-tac/", {"reason": "Nhập nhầm tệp"})
    job.batch.refresh_from_db()
    assert job.batch.status == BatchStatus.REVERTED
    assert not Item.objects.visible_to(world.officer).filter(status__in=["in_service", "in_store"]).exists()
    assert verify_ledger().ok


def test_errors_name_row_and_column_and_block_the_commit(officer, world):
    data = xlsx(
        [
            ["STT", "Số hiệu", "Tên trang bị", "Cấp chất lượng"],
            [1, "AK 9", "Súng tiểu liên AK-47", "Cấp 7"],
            [2, "AK 10", "Súng không có", "1"],
            [3, "AK 11", "Súng tiểu liên AK-47", "2"],
        ]
    )
    job = job_of(upload(officer, data))
    assert job.state == JobState.REVIEW and job.summary["issue_count"] == 2
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert "D – Cấp chất lượng" in page and "C – Tên trang bị" in page
    assert "Không có chủng loại “Súng không có” trong danh mục." in page
    assert "disabled>Ghi 1 dòng vào sổ" in page.replace("\n", "")
    # Even a forged confirm writes nothing: the file is checked again before the commit.
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.REVIEW and not Item.objects.exists() and not Batch.objects.exists()


def test_the_user_can_change_the_column_mapping(officer, world):
    # "Mã" would be read as the type code; the user says column B holds serial numbers.
    data = xlsx(
        [
            ["TT", "Ký hiệu riêng", "Tên trang bị", "Phân cấp"],
            [1, "K-1", "Súng tiểu liên AK-47", "1"],
        ],
        title=False,
    )
    job = job_of(upload(officer, data))
    assert job.summary["issue_count"] == 1  # a serialised type without a serial
    officer.post(
        f"/nhap-xuat/nhap/{job.pk}/cot/", {"col-0": "row_no", "col-1": "serial", "col-2": "name", "col-3": "grade"}
    )
    job.refresh_from_db()
    assert job.state == JobState.REVIEW and job.summary["issue_count"] == 0
    assert job.summary["preview"][0]["serial"] == "K-1"
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    assert Item.objects.get(serial="K-1").grade == 1


def test_rows_already_in_the_register_are_shown_as_duplicates_and_can_be_skipped(officer, world):
    services.record_receipt(
        equipment_type=world.rifle, serial="AK 001", unit=world.district_a1, grade=1, occurred_on=date(2020, 1, 1),
        actor=world.officer,
    )  # fmt: skip
    job = job_of(upload(officer, register()))
    assert job.summary["duplicate_count"] == 1 and job.summary["issue_count"] == 0
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert 'data-testid="duplicates"' in page and "Bỏ qua các dòng trùng với sổ" in page
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.REVIEW  # duplicates block unless the user chooses to skip them
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/", {"skip_duplicates": "1"})
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.batch.items == 2
    assert Item.objects.filter(serial="AK 001").count() == 1


def test_the_same_file_twice_needs_the_user_to_insist(officer, world):
    data = register()  # the same bytes: openpyxl stamps each file it writes with the time
    first = job_of(upload(officer, data))
    officer.post(f"/nhap-xuat/nhap/{first.pk}/ghi/")
    again = job_of(upload(officer, data, name="ban-sao.xlsx"))
    page = officer.get(f"/nhap-xuat/nhap/{again.pk}/").content.decode()
    assert "Tệp này đã được nhập ngày" in page
    assert again.summary["duplicate_count"] == 3  # its serials are in the register now


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a register", "không phải XLSX hay CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "đặt mật khẩu"),
        (b"", "Tệp rỗng."),
        (xlsx([["Họ tên", "Địa chỉ"], ["A", "B"]]), "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused_with_a_clear_message(officer, world, data, message):
    job = job_of(upload(officer, data, name="so.xlsx"))
    assert job.state == JobState.REFUSED and message in job.message
    assert message in officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()


def test_an_upload_without_a_file_says_so(officer, world):
    response = officer.post("/nhap-xuat/tai-len/?unit=tinh-a", {})
    assert "Chưa chọn tệp" in officer.get(response["Location"]).content.decode()
    assert not ImportJob.objects.exists()


def test_scope_and_role_are_enforced(client, world):
    client.force_login(world.outsider)
    assert upload(client, register(), unit="tinh-a").status_code == 404
    client.force_login(world.officer)
    job = job_of(upload(client, register()))
    client.force_login(world.outsider)
    assert client.get(f"/nhap-xuat/nhap/{job.pk}/").status_code == 404
    assert client.post(f"/nhap-xuat/nhap/{job.pk}/ghi/").status_code == 404
    client.force_login(world.commander)  # reads, never records
    assert client.get(f"/nhap-xuat/nhap/{job.pk}/").status_code == 200
    response = upload(client, register())
    assert response.status_code == 403 and "Vai trò của bạn" in response.content.decode()
    assert client.post(f"/nhap-xuat/nhap/{job.pk}/ghi/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_large_file_runs_in_the_background_worker(client, monkeypatch):
    from .factories import build_world

    world = build_world()
    client.force_login(world.officer)
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)
    monkeypatch.setattr(jobs, "INLINE_ROWS", 0)
    job = job_of(upload(client, register()))
    assert job.state == JobState.QUEUED and DBTaskResult.objects.count() == 1
    page = client.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert f'hx-get="/nhap-xuat/nhap/{job.pk}/tien-do/"' in page and "<progress" in page
    # The poll is not user activity: it neither extends nor writes the session.
    stored = client.session
    stored[REFRESHED_AT] = 0  # long ago: any other request would extend the session now
    stored.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    poll = client.get(f"/nhap-xuat/nhap/{job.pk}/tien-do/")
    assert poll.status_code == 200 and "sessionid" not in poll.cookies
    assert Session.objects.get().expire_date < timezone.now() + timedelta(minutes=2)

    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.REVIEW and job.summary["rows"] == 4
    assert client.get(f"/nhap-xuat/nhap/{job.pk}/tien-do/")["HX-Refresh"] == "true"

    client.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.COMMIT_QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.batch.items == 3

    # Reverting a large batch (one reversal per event) is work for the worker too.
    client.post(f"/nhap-xuat/nhap/{job.pk}/hoan-tac/", {"reason": "Nhập nhầm đơn vị"})
    job.refresh_from_db()
    assert job.message == "Đang hủy cả đợt nhập trong nền…" and job.batch.status == BatchStatus.COMMITTED
    run_worker()
    job.refresh_from_db()
    job.batch.refresh_from_db()
    assert job.batch.status == BatchStatus.REVERTED and job.message == "Đã hủy cả đợt nhập: 4 sự kiện hủy."
    assert verify_ledger().ok


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_commit_rolls_everything_back(client, monkeypatch):
    from .factories import build_world

    world = build_world()
    client.force_login(world.officer)
    monkeypatch.setattr(jobs, "INLINE_ROWS", 0)
    job = job_of(upload(client, register()))
    client.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    # The worker has claimed the job; the user's cancel can only reach it through the progress channel.
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.COMMITTING)
    progress.beat(job.key)  # ... and holds its lease
    client.post(f"/nhap-xuat/nhap/{job.pk}/huy/")
    assert progress.cancel_requested(job.key)
    assert "Đang hủy" in client.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.COMMIT_QUEUED)
    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert not Item.objects.exists() and not Lot.objects.exists() and not Batch.objects.exists()
    assert verify_ledger().ok


def test_a_waiting_job_is_cancelled_at_once_and_never_runs(officer, world, monkeypatch):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)
    job = job_of(upload(officer, register()))
    officer.post(f"/nhap-xuat/nhap/{job.pk}/huy/")
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    jobs.run_check(job.pk)  # what the worker would do with the queued task
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.summary == {}


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_every_list_exports_to_excel_with_its_filters(officer, world, rifle_in_a1):
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=1200, occurred_on=date(2021, 1, 5),
        actor=world.officer, lot_number="=cmd|' /C calc'!A0",
    )  # fmt: skip
    lots = read_xlsx(officer.get("/trang-bi/?unit=tinh-a&kind=lots&format=xlsx"))
    assert lots[0][0] == "VẬT TƯ, ĐẠN DƯỢC THEO LÔ"
    header = next(i for i, r in enumerate(lots) if r[0] == "STT")
    assert lots[header + 1][1:6] == ["Đạn 7,62mm K56", "=cmd|' /C calc'!A0", "Ban CHQS huyện Bát Xát", 1, 1200]

    events = read_xlsx(officer.get("/su-kien/?unit=tinh-a&kind=receipt&format=xlsx"))
    assert "Loại sự kiện: Tiếp nhận" in [r[0] for r in events]
    serials = [r[4] for r in events if isinstance(r[0], int)]
    assert serials == ["AK123456"]

    units = read_xlsx(officer.get("/bao-cao/he-so-don-vi/?unit=tinh-a&format=xlsx"))
    codes = [r[0] for r in units]
    assert "tinh-a" in codes and "huyen-a1" in codes and "huyen-a2" in codes

    officer.force_login(world.admin)
    audit = read_xlsx(officer.get("/quan-tri/nhat-ky/?format=xlsx"))
    assert audit[0][0] == "NHẬT KÝ THAO TÁC"


def test_the_events_page_lists_the_subtree_only(client, world, rifle_in_a1):
    client.force_login(world.outsider)
    assert "AK123456" not in client.get("/su-kien/").content.decode()
    client.force_login(world.officer)
    page = client.get("/su-kien/?unit=tinh-a&q=AK123").content.decode()
    assert "AK123456" in page and "12/PN" in page


def test_handover_records_holdings_and_the_catalogue_export_too(client, world, rifle_in_a1):
    from materiel.catalog.services import set_holding
    from materiel.documents.services import Parties, hand_over

    set_holding(
        actor=world.officer, unit=world.district_a1, equipment_type=world.rifle, quantity=4, valid_from=date(2020, 1, 1)
    )
    hand_over(
        items=[rifle_in_a1],
        to_unit=world.district_a2,
        parties=Parties(number="7/BBBG", handed_on=date(2024, 5, 6), giver_name="Lò Văn Páo"),
        actor=world.officer,
    )
    client.force_login(world.officer)
    records = read_xlsx(client.get("/bien-ban/?unit=tinh-a&format=xlsx"))
    assert records[0][0] == "SỔ BIÊN BẢN BÀN GIAO"
    row = next(r for r in records if r[0] == "7/BBBG")
    assert row[2:5] == ["Ban CHQS huyện Bát Xát", "Ban CHQS huyện Sa Pa", "Lò Văn Páo"] and row[6] == 1
    holdings = read_xlsx(client.get("/danh-muc/bien-che/?unit=huyen-a1&format=xlsx"))
    rifle = next(r for r in holdings if r[1] == "ak47")
    assert rifle[4:8] == [4, 4, 0, 4]  # own, authorised, held (moved away), shortfall
    types = read_xlsx(client.get("/danh-muc/?q=uoat&format=xlsx"))
    assert [r[1] for r in types[3:] if r[1]] == ["Mã chủng loại", "uaz"]


def test_the_events_page_lists_the_units_own_outgoing_transfers_in_date_order(client, world, rifle_in_a1):
    from materiel.ledger import services as ledger

    ledger.record_transfer(
        rifle_in_a1, to_unit=world.province_b, occurred_on=date(2024, 3, 1), actor=world.admin, document_number="9/DC"
    )
    ledger.record_receipt(
        equipment_type=world.rifle,
        serial="AK-SAU",
        unit=world.district_a1,
        grade=1,
        occurred_on=date(2023, 1, 1),
        actor=world.officer,
    )  # recorded last, dated earlier
    client.force_login(world.officer)
    page = client.get("/su-kien/?unit=huyen-a1").content.decode()
    assert "AK123456" in page and "Điều chuyển" in page, "the district's own outgoing transfer is in its book"
    assert page.index("01/03/2024") < page.index("01/01/2023"), "newest by date first"
    client.force_login(world.outsider)
    assert "AK-SAU" not in client.get("/su-kien/").content.decode()


def test_the_events_pages_follow_on_by_date_without_gaps_or_repeats(client, world):
    from materiel.ledger import services as ledger

    for n in range(55):
        ledger.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-P{n:02d}",
            unit=world.district_a1,
            grade=1,
            occurred_on=date(2020, 1, 1 + n % 28),
            actor=world.officer,
        )
    client.force_login(world.officer)
    first = client.get("/su-kien/?unit=huyen-a1").content.decode()
    link = re.search(r'href="\?([^"]*before=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get("/su-kien/?" + link).content.decode()
    serials = re.findall(r"AK-P\d\d", first) + re.findall(r"AK-P\d\d", second)
    assert sorted(set(serials)) == sorted(f"AK-P{n:02d}" for n in range(55)) and len(serials) == 55


def test_the_preview_names_sheet_and_header_row_lists_skipped_rows_and_another_sheet_can_be_chosen(officer, world):
    from .registers import standard_form, write

    job = job_of(upload(officer, standard_form()))
    assert job.state == JobState.REVIEW and job.summary["issue_count"] == 0, job.summary["issues"]
    assert (job.summary["sheet"], job.summary["header_row"], job.summary["header_height"]) == ("Sổ VKTBKT", 4, 2)
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert 'data-testid="sheet">Sổ VKTBKT<' in page and 'data-testid="header-row">4<' in page
    assert '<option value="Hướng dẫn" >Hướng dẫn</option>' in page.replace("selected", "")
    assert "Số lượng / Cấp 1" in page  # the merged header over its sub-header
    assert 'data-testid="skipped"' in page and "Phần ký tên" in page and "NGƯỜI LẬP SỔ" in page
    assert "Dòng đánh số cột" in page and "Dòng cộng, tổng cộng" in page and "Dòng tên mục, nhóm" in page
    # Reading the instruction sheet instead refuses the file, naming the sheet.
    officer.post(f"/nhap-xuat/nhap/{job.pk}/trang-tinh/", {"sheet": "Hướng dẫn", "header_row": "4"})
    job.refresh_from_db()
    assert job.state == JobState.REFUSED and "trang tính “Hướng dẫn”" in job.message

    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    two = write(
        [
            ("Năm 2023", [header, ["AK-23", "Súng tiểu liên AK-47", 1]], []),
            ("Năm 2024", [["Ghi chú"], header, ["AK-24", "Súng tiểu liên AK-47", 2]], []),
        ]
    )
    job = job_of(upload(officer, two, name="hai.xlsx"))
    assert job.summary["registers"] == ["Năm 2023", "Năm 2024"] and job.summary["issue_count"] == 1
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert "Có nhiều trang tính chứa sổ" in page
    officer.post(f"/nhap-xuat/nhap/{job.pk}/trang-tinh/", {"sheet": "Năm 2024", "header_row": "1"})
    job.refresh_from_db()
    assert job.state == JobState.REVIEW and job.summary["issue_count"] == 0, job.summary["issues"]
    assert (job.summary["sheet"], job.summary["header_row"]) == ("Năm 2024", 2)  # found again on that sheet
    assert job.summary["preview"][0]["serial"] == "AK-24"
    officer.post(f"/nhap-xuat/nhap/{job.pk}/trang-tinh/", {"sheet": "Năm 2024", "header_row": "abc"})
    job.refresh_from_db()
    assert job.options == {"sheet": "Năm 2024"}
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.batch.details["sheet"] == "Năm 2024"


def test_a_type_name_the_catalogue_lacks_is_mapped_in_the_wizard_and_remembered(officer, world):
    from .registers import write

    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    rows = [["AK-M1", "Súng AK báng gấp", 1], ["AK-M2", "Súng AK báng gấp", 2]]
    job = job_of(upload(officer, write([("Sổ", [header, *rows], [])]), unit="huyen-a1"))
    assert job.summary["issue_count"] == 2
    assert job.summary["unknown_types"][0]["name"] == "Súng AK báng gấp"
    page = officer.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert 'data-testid="types"' in page and 'name="type-u1"' in page
    response = officer.post(f"/nhap-xuat/nhap/{job.pk}/chung-loai/", {"name-u1": "Súng AK báng gấp", "type-u1": "nope"})
    assert "không có chủng loại mã “nope”" in officer.get(response["Location"]).content.decode()
    officer.post(f"/nhap-xuat/nhap/{job.pk}/chung-loai/", {"name-u1": "Súng AK báng gấp", "type-u1": "ak47"})
    job.refresh_from_db()
    assert job.summary["issue_count"] == 0 and job.summary["mapped_types"][0]["code"] == "ak47"
    officer.post(f"/nhap-xuat/nhap/{job.pk}/ghi/")
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.batch.details["types"] == {"Súng AK báng gấp": "ak47"}
    # The unit's next import reads the name as remembered, and says so.
    rows = [["AK-M3", "Súng AK báng gấp", 1]]
    second = job_of(upload(officer, write([("Sổ", [header, *rows], [])]), unit="huyen-a1"))
    assert second.summary["issue_count"] == 0
    assert second.summary["mapped_types"] == [
        {"name": "Súng AK báng gấp", "code": "ak47", "type": "Súng tiểu liên AK-47", "remembered": True}
    ]
    assert "đã ghi nhớ" in officer.get(f"/nhap-xuat/nhap/{second.pk}/").content.decode()
