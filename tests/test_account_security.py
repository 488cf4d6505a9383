"""Two-factor rules reach API tokens; a half-signed-in API call gets the 401 JSON; API and XLSX answers
are not cached; the session refresh follows the idle timeout; users change their own password."""

import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from materiel.accounts import services
from materiel.accounts.models import AuditEntry, AuditKind, Role
from materiel.api.tokens import issue_token
from materiel.core.middleware import REFRESHED_AT

PASSWORD = "mat-khau-thu-nghiem"
NEW = "Kho-vu-khi-moi-2026"


def bearer(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_a_role_that_starts_to_require_two_factor_stops_its_members_tokens_until_they_enrol(world):
    _token, plain = issue_token(world.commander, name="báo cáo")
    assert Client().get("/api/v1/units", **bearer(plain)).status_code == 200
    services.set_role_policy(Role.COMMANDER, actor=world.admin, require_otp=True)
    refused = Client().get("/api/v1/units", **bearer(plain))
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    # Other roles' tokens are untouched.
    _other, officer_plain = issue_token(world.officer, name="khác")
    assert Client().get("/api/v1/units", **bearer(officer_plain)).status_code == 200
    enrol(world.commander)
    assert Client().get("/api/v1/units", **bearer(plain)).status_code == 200


def test_resetting_a_users_second_factor_revokes_their_tokens(world):
    enrol(world.officer)
    token, plain = issue_token(world.officer, name="tập lệnh")
    assert Client().get("/api/v1/units", **bearer(plain)).status_code == 200
    services.reset_otp(world.officer, actor=world.admin)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/units", **bearer(plain)).status_code == 401
    entry = AuditEntry.objects.get(kind=AuditKind.OTP_RESET)
    assert entry.changes.get("tokens_revoked") == 1


def test_an_api_call_from_a_half_signed_in_session_gets_the_401_json(client, world):
    enrol(world.officer)
    client.post(reverse("web:login"), {"username": "tlkt-a", "password": PASSWORD})
    assert reverse("accounts:otp_verify") in client.get("/trang-bi/")["Location"]  # pages: the code screen
    response = client.get("/api/v1/units")
    assert response.status_code == 401, response.get("Location")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthenticated"


def test_api_json_and_xlsx_answers_are_never_stored_by_caches(client, world):
    _token, plain = issue_token(world.officer, name="x")
    for path in ("/api/v1/units", "/api/v1/exports/items", "/api/v1/imports"):
        response = Client().get(path, **bearer(plain))
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    assert "no-store" in Client().get("/api/v1/units")["Cache-Control"]  # the 401 too
    client.force_login(world.officer)
    page_export = client.get("/trang-bi/?format=xlsx")
    assert page_export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in page_export["Cache-Control"]


def test_the_session_refresh_is_a_fraction_of_the_idle_timeout(client, world, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60  # MATERIEL_SESSION_MINUTES=5
    client.force_login(world.officer)
    client.get("/")
    session = Session.objects.get()
    engine = client.session.__class__(session_key=session.session_key)
    engine[REFRESHED_AT] = int(time.time()) - 15  # a twentieth of five minutes ago
    engine.save()
    assert "sessionid" in client.get("/trang-bi/").cookies, "an active user's 5-minute session is extended"
    assert "sessionid" not in client.get("/trang-bi/").cookies, "but not written on every request"


def test_a_user_changes_their_own_password_and_other_sessions_are_signed_out(world):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        assert browser.post(reverse("web:login"), {"username": "tlkt-a", "password": PASSWORD}).status_code == 302
    page = here.get(reverse("accounts:password"))
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    wrong = here.post(reverse("accounts:password"), {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.content.decode()
    weak = here.post(
        reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 422 and "quá ngắn" in weak.content.decode()
    done = here.post(
        reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.check_password(NEW)
    assert here.get("/trang-bi/").status_code == 200, "this session stays signed in"
    assert "/dang-nhap/" in elsewhere.get("/trang-bi/")["Location"], "the other one is signed out"
    entry = AuditEntry.objects.filter(kind=AuditKind.PASSWORD_CHANGED).get()
    assert entry.actor == world.officer and entry.target == world.officer
    # The account menu links to it.
    assert reverse("accounts:password") in here.get("/").content.decode()


def test_the_password_page_needs_the_second_factor_first(client, world):
    enrol(world.officer)
    client.post(reverse("web:login"), {"username": "tlkt-a", "password": PASSWORD})
    assert reverse("accounts:otp_verify") in client.get(reverse("accounts:password"))["Location"]
    device = TOTPDevice.objects.get(user=world.officer)
    client.post(reverse("accounts:otp_verify"), {"token": f"{TOTP(device.bin_key).token():06d}"})
    assert client.get(reverse("accounts:password")).status_code == 200
