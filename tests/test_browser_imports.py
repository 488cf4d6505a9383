"""The import wizard in Debian's Chromium, with the real task worker running beside the server:
upload, a progress bar that survives a reload, the preview, the commit, the register afterwards."""

import re
import threading

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from materiel.equipment.models import Item
from materiel.imports import jobs, progress
from materiel.imports.models import ImportJob

from .browsing import shot
from .test_browser import sign_in
from .test_imports import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class BackgroundWorker:
    """django-tasks' database worker in a thread of the test process, as `materiel db_worker` runs it."""

    def __init__(self):
        self.worker = Worker(
            queue_names=["default"],
            interval=0.1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.worker.run()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.worker.running = False
        self.thread.join(timeout=30)


def test_a_register_goes_through_the_wizard_in_the_background(page, world, monkeypatch, tmp_path):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)  # every file goes to the worker, as large ones do
    monkeypatch.setattr(jobs, "INLINE_ROWS", 0)
    file = tmp_path / "so-dang-ky-bat-xat.xlsx"
    file.write_bytes(register())
    sign_in(page)
    page.get_by_role("link", name="Nhập/Xuất").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhập/Xuất Excel")
    shot(page, "20-nhap-xuat")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    # No worker yet: the job waits, and the page says so with a progress bar, also after a reload.
    expect(page.get_by_test_id("job-state")).to_have_text("Đang chờ kiểm tra")
    expect(page.locator("progress")).to_be_visible()
    page.reload()
    expect(page.locator("progress")).to_be_visible()
    job = ImportJob.objects.get()

    with BackgroundWorker():
        # The page polls and reloads itself when the check is done.
        expect(page.get_by_test_id("job-state")).to_have_text("Chờ xác nhận", timeout=20_000)
        expect(page.get_by_test_id("rows-ok")).to_have_text("4")
        expect(page.get_by_test_id("preview")).to_contain_text("AK 001")
        shot(page, "21-nhap-xem-truoc")
        assert not Item.objects.exists()

    # Committing: while it waits for the worker, the live progress is what the worker last reported.
    page.get_by_role("button", name=re.compile("Ghi 4 dòng vào sổ")).click()
    expect(page.get_by_test_id("job-state")).to_have_text("Đang chờ ghi")
    progress.report(job.key, "writing", 2000, 4000)
    expect(page.get_by_test_id("progress-text")).to_have_text("2.000 / 4.000", timeout=5_000)
    expect(page.locator("progress")).to_have_attribute("value", "2000")
    shot(page, "22-nhap-tien-do")
    progress.clear(job.key)

    with BackgroundWorker():
        expect(page.get_by_test_id("job-state")).to_have_text("Đã nhập", timeout=20_000)
    expect(page.get_by_test_id("job-message")).to_have_text("Đã nhập 3 trang bị và 1 lô.")
    shot(page, "23-nhap-xong")
    page.get_by_role("link", name="Xem sổ trang bị").click()
    expect(page.get_by_text("AK 001")).to_be_visible()


def test_a_waiting_import_can_be_cancelled_from_the_page(page, world, monkeypatch, tmp_path):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)
    file = tmp_path / "so.xlsx"
    file.write_bytes(register())
    sign_in(page)
    page.goto("/nhap-xuat/?unit=huyen-a1")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.get_by_role("button", name="Hủy lượt nhập").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Đã hủy")
    with BackgroundWorker():
        pass  # the queued task finds the job cancelled and does nothing
    assert ImportJob.objects.get().summary == {} and not Item.objects.exists()


def test_a_real_register_shows_its_sheet_header_and_skipped_rows_and_another_sheet_can_be_read(page, world, tmp_path):
    from .registers import standard_form

    file = tmp_path / "so-mau.xlsx"
    file.write_bytes(standard_form("openpyxl"))
    sign_in(page)
    page.goto("/nhap-xuat/?unit=huyen-a1")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Chờ xác nhận")
    expect(page.get_by_test_id("sheet")).to_have_text("Sổ VKTBKT")
    expect(page.get_by_test_id("header-row")).to_have_text("4")
    expect(page.get_by_test_id("rows-ok")).to_have_text("4")
    page.get_by_test_id("skipped").locator("summary").click()
    expect(page.get_by_test_id("skipped")).to_contain_text("Phần ký tên")
    expect(page.get_by_test_id("skipped")).to_contain_text("Dòng đánh số cột")
    shot(page, "24-nhap-so-mau")
    page.get_by_label("Trang tính").select_option("Hướng dẫn")
    page.get_by_role("button", name="Đọc lại từ trang tính, dòng này").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Tệp bị từ chối")
    expect(page.get_by_test_id("job-message")).to_contain_text("trang tính “Hướng dẫn”")
    assert not Item.objects.exists()


def test_a_type_name_the_catalogue_lacks_is_mapped_in_the_wizard(page, world, tmp_path):
    from .registers import write

    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    file = tmp_path / "ten-rieng.xlsx"
    file.write_bytes(write([("Sổ", [header, ["AK-B1", "Súng AK báng gấp", 1], ["AK-B2", "Súng AK báng gấp", 2]], [])]))
    sign_in(page)
    page.goto("/nhap-xuat/?unit=huyen-a1")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("rows-error")).to_have_text("2")
    page.get_by_label("Chủng loại cho “Súng AK báng gấp”").select_option("ak47")
    shot(page, "25-nhap-chung-loai")
    page.get_by_role("button", name="Kiểm tra lại với các chủng loại này").click()
    expect(page.get_by_test_id("rows-error")).to_have_text("0")
    expect(page.get_by_test_id("types")).to_contain_text("đã chọn")
    page.get_by_role("button", name=re.compile("Ghi 2 dòng vào sổ")).click()
    expect(page.get_by_test_id("job-state")).to_have_text("Đã nhập")
    assert set(Item.objects.values_list("equipment_type", flat=True)) == {world.rifle.pk}


def test_a_historical_register_into_a_unit_founded_in_2025_in_the_wizard(page, world, tmp_path):
    from .test_import_history import history_file, reform

    region = reform(world)
    file = tmp_path / "lich-su.xlsx"
    file.write_bytes(history_file("openpyxl"))
    sign_in(page)
    page.goto("/nhap-xuat/?unit=ptkv-a1")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("rows-error")).to_have_text("2")
    expect(page.get_by_test_id("history")).to_contain_text("thành lập ngày 01/07/2025: 2 dòng")
    page.get_by_label(re.compile("Tiếp nhận tại đơn vị quản lý trang bị vào ngày đó")).check()
    page.get_by_label(re.compile("Đơn vị quản lý trước khi thành lập")).select_option("huyen-a1")
    shot(page, "26-nhap-lich-su")
    page.get_by_role("button", name="Kiểm tra lại theo cách ghi này").click()
    expect(page.get_by_test_id("rows-error")).to_have_text("0")
    page.get_by_role("button", name=re.compile("Ghi 3 dòng vào sổ")).click()
    expect(page.get_by_test_id("job-state")).to_have_text("Đã nhập")
    item = Item.objects.get(serial="AK-H1")
    assert item.unit == region and item.events.count() == 2
