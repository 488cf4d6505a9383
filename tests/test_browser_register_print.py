"""In Debian's Chromium: the register book printed to PDF runs over several A4 landscape pages, each with
the column heads and its page number, the letterhead's unit names each on one line, every row once.

The PDF is kept in test-artifacts/ (not committed) for review.
"""

import re
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from materiel.ledger import reorganisation as reorg
from materiel.units.models import UnitKind

from .browsing import shot
from .factories import FOUNDED
from .test_browser import sign_in
from .test_register_print import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LONG_NAME = "Ban Chỉ huy Quân sự huyện Mường Khương"  # wider than a portrait letterhead's column
ROWS = 150


def pdf_pages(pdf: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages]


def squashed(text: str) -> str:
    """Text without its spaces: the extraction puts spaces around Vietnamese letters ("B Ộ  CHQS")."""
    return re.sub(r"\s+", "", text)


def test_the_register_book_prints_every_row_on_numbered_pages_with_the_heads_repeated(page, world):
    district = reorg.create_unit(
        code="huyen-mk",
        name=LONG_NAME,
        kind=UnitKind.objects.get(code="district-command"),
        parent=world.province_a,
        founded_on=FOUNDED,
        actor=world.admin,
    )
    fill(world, ROWS, prefix="MK", units=[district])
    sign_in(page)
    page.goto("/trang-bi/?unit=huyen-mk")
    expect(page.get_by_test_id("count")).to_contain_text(f"{ROWS} trang bị")
    page.get_by_test_id("register-print").click()
    expect(page.get_by_test_id("print-count")).to_contain_text(f"Sẽ in đủ {ROWS} trang bị")
    expect(page.get_by_test_id("print-total")).to_have_text(f"Cộng: {ROWS} trang bị")
    page.emulate_media(media="print")
    shot(page, "doc-8-so-dang-ky-ban-in")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(prefer_css_page_size=True, path=str(ARTIFACTS / "so-dang-ky.pdf"))

    # A4 landscape (842 × 595 pt), several pages.
    width, height = (float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) in {(842, 595), (842, 596), (843, 595), (843, 596)}
    pages = pdf_pages(pdf)
    assert len(pages) >= 4
    serials = []
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in text, number
        assert squashed("TT Số hiệu Tên trang bị Đơn vị quản lý Cấp Tình trạng") in squashed(text), number  # the heads
        serials += re.findall(r"\bMK-\d{5}\b", text)
    assert sorted(serials) == [f"MK-{n:05d}" for n in range(ROWS)]  # every row, once, none split
    # The letterhead, on the first page: each unit's name on one line of its own.
    lines = [squashed(line) for line in pages[0].splitlines()]
    assert squashed("BỘ CHQS TỈNH LÀO CAI") in lines
    assert any(line.startswith(squashed(LONG_NAME.upper())) for line in lines), lines[:8]
    assert squashed(f"Cộng: {ROWS} trang bị") in squashed(pages[-1])
    assert squashed("THỦ TRƯỞNG ĐƠN VỊ") in squashed(pages[-1])
