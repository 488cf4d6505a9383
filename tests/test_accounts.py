"""Accounts, sign-in protection and the audit log."""

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from materiel.accounts.models import AppendOnlyAudit, AuditEntry, AuditKind, Role, RolePolicy, User

from .factories import make_user

PASSWORD = "mat-khau-thu-nghiem"
GOOD = "Kho-vu-khi-tot-2026"


@pytest.fixture
def admin_a(world):
    return make_user("quantri-a", world.province_a, Role.ADMIN)


def sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_administrator_creates_an_account_in_the_browser_and_it_is_audited(client, world, admin_a):
    client.force_login(admin_a)
    form = {
        "username": "thukho-a1",
        "full_name": "Nguyễn Văn Kho",
        "rank_title": "Thượng sĩ, thủ kho",
        "unit": world.district_a1.pk,
        "role": Role.DEPOT_KEEPER,
        "password": GOOD,
    }
    response = client.post(reverse("accounts:user_create"), form, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    user = User.objects.get(username="thukho-a1")
    assert (user.unit, user.role, user.check_password(GOOD)) == (world.district_a1, Role.DEPOT_KEEPER, True)
    entry = AuditEntry.objects.get(kind=AuditKind.USER_CREATED)
    assert (entry.actor, entry.target, entry.address) == (admin_a, user, "10.1.2.3")
    assert entry.changes["unit"] == "huyen-a1" and entry.changes["role"] == Role.DEPOT_KEEPER


def test_weak_passwords_and_foreign_units_are_refused_next_to_the_field(client, world, admin_a):
    client.force_login(admin_a)
    form = {
        "username": "x1",
        "full_name": "X",
        "unit": world.district_a1.pk,
        "role": Role.COMMANDER,
        "password": "12345678",
    }
    response = client.post(reverse("accounts:user_create"), form)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'has-error">\n      <label for="id_password"' in html
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in html and "This password" not in html
    response = client.post(reverse("accounts:user_create"), {**form, "password": GOOD, "unit": world.post_b1.pk})
    assert response.status_code == 422 and not User.objects.filter(username="x1").exists()


def test_role_and_scope_changes_are_audited_with_old_and_new_values(client, world, admin_a):
    target = make_user("tlkt-a2", world.district_a2)
    client.force_login(admin_a)
    form = {
        "full_name": "Tlkt-a2",
        "rank_title": "",
        "unit": world.district_a1.pk,
        "role": Role.COMMANDER,
        "is_active": "on",
        "password": "",
    }
    assert client.post(reverse("accounts:user_edit", args=[target.pk]), form).status_code == 302
    entry = AuditEntry.objects.get(kind=AuditKind.USER_CHANGED)
    assert entry.changes == {"unit": ["huyen-a2", "huyen-a1"], "role": [Role.TECHNICAL_OFFICER, Role.COMMANDER]}


def test_createuser_command(world):
    out = io.StringIO()
    sys_stdin = sys.stdin
    sys.stdin = io.StringIO(GOOD + "\n")
    try:
        call_command(
            "createuser",
            "chihuy-a1",
            unit="huyen-a1",
            role="commander",
            name="Hoàng Văn Chỉ",
            password_stdin=True,
            stdout=out,
        )
    finally:
        sys.stdin = sys_stdin
    user = User.objects.get(username="chihuy-a1")
    assert user.unit == world.district_a1 and "Đã tạo" in out.getvalue()
    entry = AuditEntry.objects.get(kind=AuditKind.USER_CREATED, target=user)
    assert entry.actor is None and entry.changes["via"] == "console"
    # A production command: it creates no stand-in superuser of the demo's ("hethong").
    assert not User.objects.filter(username="hethong").exists()


def test_sign_in_failure_and_sign_out_are_audited_with_the_address(client, world):
    sign_in(client, "tlkt-a", "sai-mat-khau", "10.9.9.9")
    assert sign_in(client, "tlkt-a", PASSWORD, "10.9.9.9").status_code == 302
    client.post(reverse("web:logout"), REMOTE_ADDR="10.9.9.9")
    kinds = list(AuditEntry.objects.filter(username="tlkt-a").order_by("id").values_list("kind", "address"))
    assert kinds == [
        (AuditKind.LOGIN_FAILED, "10.9.9.9"),
        (AuditKind.LOGIN, "10.9.9.9"),
        (AuditKind.LOGOUT, "10.9.9.9"),
    ]


def test_lockout_is_keyed_on_username_and_address_together(world, settings):
    barracks, home = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(barracks, "tlkt-a", "sai", "10.0.0.7")
    assert "Tạm khóa" in response.content.decode()
    locked = sign_in(barracks, "tlkt-a", PASSWORD, "10.0.0.7")
    assert locked.status_code in (403, 429) and "Tạm khóa" in locked.content.decode()
    assert sign_in(barracks, "chihuy-a", PASSWORD, "10.0.0.7").status_code == 302  # others behind that address
    assert sign_in(home, "tlkt-a", PASSWORD, "10.0.0.8").status_code == 302  # the same user elsewhere
    assert AuditEntry.objects.filter(kind=AuditKind.LOCKOUT, username="tlkt-a").exists()


def test_a_session_ends_after_inactivity_and_each_request_extends_it(client, world):
    sign_in(client, "tlkt-a")
    session = Session.objects.get()
    first_expiry = session.expire_date
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert Session.objects.get().expire_date >= first_expiry
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_two_factor_required_for_a_role_is_enforced(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code; not what this tests
    RolePolicy.objects.create(role=Role.COMMANDER, require_otp=True)
    sign_in(client, "chihuy-a")
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and reverse("accounts:otp_setup") in response["Location"]
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user__username="chihuy-a")
    assert client.post(reverse("accounts:otp_setup"), {"token": "000000"}).status_code == 422
    assert (
        client.post(reverse("accounts:otp_setup"), {"token": f"{TOTP(device.bin_key).token():06d}"}).status_code == 302
    )
    assert client.get(reverse("web:dashboard")).status_code == 200
    client.post(reverse("web:logout"))
    sign_in(client, "chihuy-a")
    response = client.get(reverse("web:register"))
    assert reverse("accounts:otp_verify") in response["Location"]
    wrong = client.post(reverse("accounts:otp_verify"), {"token": "123456"})
    assert wrong.status_code == 422 and "không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    client.post(reverse("accounts:otp_verify"), {"token": f"{TOTP(device.bin_key).token():06d}", "next": "/trang-bi/"})
    assert client.get(reverse("web:register")).status_code == 200
    assert AuditEntry.objects.filter(kind=AuditKind.OTP_FAILED).exists()
    assert AuditEntry.objects.filter(kind=AuditKind.OTP_ENROLLED).exists()


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 403


def test_the_audit_log_is_append_only_and_administrators_filter_it(client, world, admin_a):
    sign_in(client, "tlkt-a", "sai")
    sign_in(Client(), "tlkt-b", "sai")
    entry = AuditEntry.objects.first()
    with pytest.raises(AppendOnlyAudit):
        entry.save()
    with pytest.raises(AppendOnlyAudit):
        AuditEntry.objects.all().delete()
    client.force_login(admin_a)
    html = client.get(reverse("accounts:audit"), {"kind": AuditKind.LOGIN_FAILED}).content.decode()
    assert "tlkt-a" in html and "tlkt-b" not in html  # province B's entries are not A's to read
    client.force_login(world.officer)
    assert client.get(reverse("accounts:audit")).status_code == 403


def test_deployment_checks_pass_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "MATERIEL_PRODUCTION": "1",
        "SECRET_KEY": "k" * 20 + "x9Q#mZ2!pL7@vR4$" * 3,
        "ALLOWED_HOSTS": "materiel.qk2.local",
        "MATERIEL_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only; deployment checks refuse it
    result = subprocess.run(
        [sys.executable, "-m", "materiel.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    weak = subprocess.run(
        [sys.executable, "-m", "materiel.cli", "check"],
        env={**env, "SECRET_KEY": "short"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert weak.returncode != 0 and "SECRET_KEY" in weak.stderr


def test_the_database_refuses_raw_changes_to_the_audit_log(client, world):
    """A trigger on both databases: PostgreSQL's accounts/0004, SQLite's accounts/0006."""
    sign_in(client, "tlkt-a", "sai")
    for sql in ("UPDATE accounts_auditentry SET username = 'x'", "DELETE FROM accounts_auditentry"):
        # PostgreSQL: the application's role lacks the privilege, and the trigger refuses the owner too
        # (tests/test_ledger_services.py)
        match = "append-only|permission denied"
        with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 1


def test_only_a_top_level_administrator_sets_the_two_factor_rule_and_it_is_audited(client, world, admin_a):
    client.force_login(admin_a)  # bound to a province: the rule applies to everyone, so not theirs to set
    assert client.post(reverse("accounts:role_policy"), {"otp-commander": "on"}).status_code == 403
    client.force_login(world.admin)
    assert client.post(reverse("accounts:role_policy"), {"otp-commander": "on"}).status_code == 302
    assert RolePolicy.requires_otp(Role.COMMANDER) and not RolePolicy.requires_otp(Role.TECHNICAL_OFFICER)
    entry = AuditEntry.objects.get(kind=AuditKind.ROLE_POLICY_CHANGED)
    assert entry.actor == world.admin and entry.changes == {"role": Role.COMMANDER, "require_otp": True}
