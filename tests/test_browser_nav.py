"""Navigation in Debian's Chromium: the main sections in order, the language switch on every main page,
keyboard-only use, and the catalogue edited through the browser.

Screenshots of each main page in Vietnamese and in English go to test-artifacts/screenshots/
(not committed) for review.
"""

import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType
from materiel.core.text import fold
from materiel.ledger import services

from .browsing import shot
from .factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The main sections, in the order the menu must show them (issue #4).
SECTIONS_VI = [
    "Tổng quan",
    "Đơn vị",
    "Trang bị",
    "Bảo dưỡng",
    "Phiếu công việc",
    "Kho",
    "Kiểm tra",
    "Kiểm kê",
    "Thanh lý",
    "Cán bộ kỹ thuật",
    "Nghị quyết",
    "Nhập/Xuất",
    "Danh mục",
    "Báo cáo",
    "Quản trị",
]
SECTIONS_EN = [
    "Overview",
    "Units",
    "Equipment",
    "Maintenance",
    "Work orders",
    "Storage",
    "Inspections",
    "Counts",
    "Disposal",
    "Technical staff",
    "Resolutions",
    "Import/Export",
    "Catalogue",
    "Reports",
    "Administration",
]
REQUIRED = {"Tổng quan", "Đơn vị", "Trang bị", "Danh mục", "Quản trị"}
MO = Path(__file__).resolve().parent.parent / "materiel" / "locale" / "en" / "LC_MESSAGES" / "django.mo"
# Letters English never uses: a Vietnamese word left on an English page shows one of them.
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
# Interface text only: headings of sections, column headers, buttons, menu, breadcrumbs (data such as
# unit and equipment names stays Vietnamese in English, so h1 and row headers are not looked at).
# The language switch names Vietnamese in Vietnamese on purpose.
CHROME = "h2, thead th, button:not([name=language]), main nav.breadcrumbs li:first-child, header nav a, legend"


def sign_in(page, username):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ CHQS tỉnh Lào Cai")


def menu(page):
    return page.locator("header nav a")


def vietnamese_msgids() -> set[str]:
    """Every text of the committed catalogue whose English differs, as written in Vietnamese."""
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    texts = set()
    for key, value in catalogue._catalog.items():
        msgid = key if isinstance(key, str) else key[0]
        if msgid and value != msgid:
            texts.add(msgid)
    return texts


def tab_to(page, predicate: str, limit: int = 80):
    """Press Tab until the focused element satisfies the JS `predicate` (of `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


@pytest.fixture
def stocked(world):
    for n, grade in enumerate([1, 2, 3], start=1):
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n:03d}",
            unit=world.district_a1,
            grade=grade,
            occurred_on=date(2021, 1, 1),
            actor=world.officer,
        )
    return make_user("quantri-a", world.province_a, "admin")


def test_menu_order_and_the_language_switch_on_every_main_page(page, stocked):
    sign_in(page, "quantri-a")
    shown = [text.strip() for text in menu(page).all_inner_texts()]
    assert set(shown) >= REQUIRED, shown
    assert shown == [s for s in SECTIONS_VI if s in shown], f"menu out of order: {shown}"
    sections = [(text, menu(page).nth(i).get_attribute("href")) for i, text in enumerate(shown)]
    msgids = vietnamese_msgids()

    for n, (name_vi, href) in enumerate(sections, start=1):
        name_en = SECTIONS_EN[SECTIONS_VI.index(name_vi)]
        page.goto(href)
        expect(page.locator("header nav a[aria-current=page]")).to_have_text(name_vi)
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        slug = fold(name_vi).replace(" ", "-").replace("/", "-")
        shot(page, f"nav-{n:02d}-{slug}-vi")
        page.get_by_role("button", name="English").click()

        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("header nav a[aria-current=page]")).to_have_text(name_en)
        assert [t.strip() for t in menu(page).all_inner_texts()] == [SECTIONS_EN[SECTIONS_VI.index(s)] for s in shown]
        for text in page.locator(CHROME).all_inner_texts():
            text = " ".join(text.split())
            assert text not in msgids, f"{href}: untranslated {text!r}"
            assert not VIETNAMESE.search(text), f"{href}: Vietnamese left in English: {text!r}"
        # The page heading may carry data ("Cây đơn vị – <unit name>"), but not an untranslated text.
        heading = " ".join(page.locator("h1").first.inner_text().split())
        assert heading not in msgids and heading.split(" – ")[0] not in msgids, f"{href}: untranslated {heading!r}"
        shot(page, f"nav-{n:02d}-{slug}-en")
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("header nav a[aria-current=page]")).to_have_text(name_vi)


def test_a_page_reached_and_a_form_used_with_the_keyboard_only(page, stocked, world):
    sign_in(page, "tlkt-a")
    tab_to(page, "el.textContent.trim() === 'Danh mục'")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Danh mục")
    # The focus is visible: a solid outline at least 2px wide (site.css), not the browser's faint default.
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/danh-muc/$"))

    tab_to(page, "el.textContent.trim() === 'Thêm nhóm'")
    expect(page.locator(":focus")).to_have_text("Thêm nhóm")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm nhóm trang bị")
    shot(page, "ban-phim-them-nhom")
    tab_to(page, "el.name === 'code'")
    page.keyboard.type("thong-tin")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("name", "name")
    page.keyboard.type("Khí tài thông tin")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # submits the form
    expect(page).to_have_url(re.compile("/danh-muc/$"))
    expect(page.get_by_test_id("categories")).to_contain_text("Khí tài thông tin")
    assert Category.objects.get(code="thong-tin").order == 5


def test_catalogue_and_holdings_edited_in_the_browser(page, stocked, world):
    sign_in(page, "tlkt-a")
    page.get_by_role("link", name="Danh mục", exact=True).click()
    expect(page.get_by_test_id("types")).to_contain_text("Súng tiểu liên AK-47")
    page.get_by_label("Tìm").fill("xe uoat")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("type-count")).to_have_text("1 chủng loại")

    page.get_by_role("link", name="Thêm chủng loại").click()
    page.get_by_label("Nhóm trang bị").select_option(label="Vũ khí bộ binh")
    page.get_by_label("Mã chủng loại").fill("AK47")
    page.get_by_label("Tên trang bị").fill("Súng trường CKC")
    page.get_by_label("Đơn vị tính").fill("khẩu")
    page.get_by_label("Số phát bắn").check()
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".has-error")).to_contain_text("Mã chủng loại ak47 đã có (Súng tiểu liên AK-47).")
    shot(page, "danh-muc-loi-trung-ma")
    page.get_by_label("Mã chủng loại").fill("ckc")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("types")).to_contain_text("Súng trường CKC")
    assert EquipmentType.objects.get(code="ckc").meters == ["rounds"]

    page.get_by_role("link", name="ak47", exact=True).click()
    expect(page.get_by_label("Mã chủng loại")).to_be_disabled()
    page.get_by_label("Niên hạn sử dụng (năm)").fill("30")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu chủng loại Súng tiểu liên AK-47.")

    page.get_by_role("link", name="Biên chế trang bị của đơn vị").click()
    page.locator("select[name=unit]").select_option("huyen-a1")  # the subtree switcher submits itself
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ban CHQS huyện Bát Xát")
    page.get_by_role("link", name="Thêm biên chế").click()
    page.get_by_label("Chủng loại").select_option(label="Súng tiểu liên AK-47")
    page.get_by_label("Số lượng biên chế").fill("4")
    page.get_by_label("Hiệu lực từ ngày").fill("01/01/2021")
    page.get_by_role("button", name="Lưu").click()
    row = page.get_by_test_id("holdings").locator("tr[data-type=ak47]")
    expect(row).to_contain_text("Súng tiểu liên AK-47")
    expect(row.locator("td").nth(5)).to_have_text("3")  # held: the three rifles received
    expect(row.locator("td").nth(6)).to_have_text("1")  # short of the four authorised
    expect(page.get_by_test_id("fill-rate")).to_contain_text("75,0%")
    shot(page, "bien-che")

    row.get_by_role("link", name="Sửa biên chế Súng tiểu liên AK-47").click()
    page.get_by_label("Số lượng biên chế").fill("3")
    page.get_by_label("Hiệu lực từ ngày").fill("01/01/2024")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("fill-rate")).to_contain_text("100,0%")
    rows = AuthorizedHolding.objects.filter(unit=world.district_a1).order_by("valid_from")
    assert [(r.quantity, r.valid_to) for r in rows] == [(4, date(2024, 1, 1)), (3, None)]


def test_catalogue_pages_and_forms_in_english(page, stocked, world):
    holding = AuthorizedHolding.objects.create(
        unit=world.district_a1, equipment_type=world.rifle, quantity=4, valid_from=date(2021, 1, 1)
    )
    sign_in(page, "tlkt-a")
    page.get_by_role("button", name="English").click()
    pages = {
        "bien-che": "/danh-muc/bien-che/?unit=huyen-a1",
        "them-bien-che": "/danh-muc/bien-che/them/?unit=huyen-a1",
        "sua-bien-che": f"/danh-muc/bien-che/{holding.pk}/",
        "them-nhom": "/danh-muc/nhom/them/",
        "them-chung-loai": "/danh-muc/chung-loai/them/",
        "sua-chung-loai": f"/danh-muc/chung-loai/{world.rifle.pk}/",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for text in page.locator(f"{CHROME}, label:not(:has(select)), .field small, .toolbar a").all_inner_texts():
            assert not VIETNAMESE.search(text), f"{url}: Vietnamese left in English: {text!r}"
        shot(page, f"danh-muc-{name}-en")
    page.goto(pages["them-nhom"])
    page.get_by_label("Category code").fill("xe")
    page.get_by_label("Category name").fill("Xe máy")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".has-error")).to_contain_text("The category code xe is already used (Xe ô tô).")
