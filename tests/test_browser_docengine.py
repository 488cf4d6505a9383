"""In Debian's Chromium: Báo cáo → report 1 → choose the period and profile → the print view, its DOCX
and PDF downloaded and read back, a count followed to the register, the print view printed."""

import io
import re
import unicodedata

import pytest
from django.utils import timezone
from docx import Document as Docx
from playwright.sync_api import expect
from pypdf import PdfReader

from .browsing import shot
from .test_browser import sign_in
from .test_docengine import period_before, stocked  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_page_downloads_its_docx_and_pdf_and_prints(page, stocked):  # noqa: F811
    start, end = period_before(timezone.localdate())
    sign_in(page)
    page.goto("/bao-cao/?unit=tinh-a")
    page.get_by_role("link", name="Báo cáo số lượng, chất lượng VKTBKT").click()
    form = page.get_by_test_id("report-form")
    form.locator("select[name=period]").select_option("month")
    form.get_by_label("Thứ tự kỳ").fill(str(start.month))
    form.get_by_label("Năm", exact=True).fill(str(start.year))
    form.get_by_label("Số", exact=True).fill("21")
    form.get_by_label("Người ký", exact=True).fill("Nguyễn Văn Đức")
    form.get_by_label("Cấp bậc, chức vụ người ký").fill("Đại tá, Chỉ huy trưởng")
    form.get_by_role("button", name="Lập báo cáo").click()
    table = page.get_by_test_id("quantity-table")
    expect(table).to_contain_text("Vũ khí bộ binh")
    expect(page.get_by_test_id("doc-number")).to_have_text(re.compile(r"Số: 21/BC-"))
    shot(page, "bao-cao-so-luong-chat-luong")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải DOCX").first.click()
    doc = Docx(io.BytesIO(download.value.path().read_bytes()))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].cell(0, 1).text
    assert [c.text for c in doc.tables[1].rows[-1].cells][1:4] == ["Cộng", "0", "4"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF").first.click()
    text = " ".join(PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text().split())
    assert "Số: 21/BC-" in text and "Đại tá Nguyễn Văn Đức" in text

    # The print view: Chromium prints the sheet alone, with the same header.
    # (Chromium's PDF text comes with spaces around Vietnamese letters: compared without spaces.)
    printed = re.sub(r"\s+", "", PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages[0].extract_text())
    assert "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM" in unicodedata.normalize("NFC", printed)
    assert "Lậpbáocáo" not in unicodedata.normalize("NFC", printed)

    # A count opens exactly what it counts: the rifles held on the period's end.
    table.get_by_role("row").filter(has_text="Vũ khí bộ binh").get_by_role("link", name="3").first.click()
    expect(page).to_have_url(re.compile(rf"on={end:%d}%2F{end:%m}%2F{end:%Y}"))
    expect(page.get_by_test_id("count")).to_have_text(re.compile(r"^\s*3\b"))
