"""In Debian's Chromium: a user changes their own password from the account menu; their other browser
is signed out, this one stays."""

import re

import pytest
from playwright.sync_api import expect

from .browsing import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "Kho-vu-khi-moi-2026"


def sign_in(page, password="mat-khau-thu-nghiem"):
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill("tlkt-a")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ CHQS tỉnh Lào Cai")


def test_a_user_changes_their_password_from_the_account_menu(page, browser, live_server, world):
    other = browser.new_context(base_url=live_server.url)
    elsewhere = other.new_page()
    try:
        sign_in(elsewhere)
        sign_in(page)
        page.get_by_role("link", name="Đổi mật khẩu").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Đổi mật khẩu")
        page.get_by_label("Mật khẩu hiện tại").fill("sai-mat-khau")
        page.get_by_label("Mật khẩu mới", exact=True).fill(NEW)
        page.get_by_label("Nhập lại mật khẩu mới").fill(NEW)
        page.get_by_role("button", name="Đổi mật khẩu").click()
        expect(page.get_by_role("alert")).to_contain_text("Mật khẩu hiện tại không đúng")
        page.get_by_label("Mật khẩu hiện tại").fill("mat-khau-thu-nghiem")
        page.get_by_label("Mật khẩu mới", exact=True).fill(NEW)
        page.get_by_label("Nhập lại mật khẩu mới").fill(NEW)
        shot(page, "20-doi-mat-khau")
        page.get_by_role("button", name="Đổi mật khẩu").click()
        expect(page.locator(".messages")).to_contain_text("Đã đổi mật khẩu")
        page.goto("/trang-bi/")
        expect(page).to_have_url(re.compile("/trang-bi/"))
        elsewhere.goto("/trang-bi/")
        expect(elsewhere).to_have_url(re.compile("/dang-nhap/"))
        sign_in(elsewhere, NEW)
    finally:
        other.close()
