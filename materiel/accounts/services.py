"""Account changes: each checks the actor's right, validates, and writes its audit entry."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from materiel.core.errors import DomainError
from materiel.core.text import nfc

from . import audit
from .models import AuditKind, Role, RolePolicy, ScopeGrant, User
from .scoping import PermissionDenied, allowed, forget_grants, require

if TYPE_CHECKING:
    from materiel.units.models import Unit


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from None


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(_("Vai trò không hợp lệ."), field="role")


class Console:
    """The operator at the server's console (`materiel createuser`): whoever runs commands there can
    already do anything, so no account stands in for them; the audit entry says "console" instead of
    a user. Not a user: nothing signs in as it and no superuser is created for it."""

    is_superuser = True
    is_authenticated = False  # audit.record then stores no actor
    unit = None
    username = ""


CONSOLE = Console()
# Who changes accounts: an administrator, or the operator at the console.
Actor = User | Console


def _require_manage(actor: Actor, unit: "Unit | None") -> None:
    if isinstance(actor, Console):  # CONSOLE, the one Console
        return
    if unit is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("Chỉ quản trị hệ thống cấp cao nhất được tạo tài khoản không gắn đơn vị."))
        return
    require(actor, "users.manage", unit=unit)


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    unit: "Unit | None",
    role: str,
    password: str,
    rank_title: str = "",
    request: HttpRequest | None = None,
) -> User:
    """An administrator creates an account bound to a unit (its scope) with a role."""
    _require_manage(actor, unit)
    username = nfc(username).lower()
    if not username:
        raise DomainError(_("Chưa nhập tên đăng nhập."), field="username")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("Tên đăng nhập %(name)s đã có.") % {"name": username}, field="username")
    _check_role(role)
    user = User(username=username, first_name=nfc(full_name), unit=unit, role=role, rank_title=nfc(rank_title))
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        AuditKind.USER_CREATED,
        request=request,
        actor=actor,
        target=user,
        changes={
            "unit": unit.code if unit else None,
            "role": role,
            "name": user.first_name,
            **({"via": "console"} if actor is CONSOLE else {}),
        },
    )
    return user


@transaction.atomic
def update_user(user: User, *, actor: User, request: HttpRequest | None = None, **fields: Any) -> User:
    """Change name, rank, unit (scope), role or active flag; the audit entry lists old and new values."""
    _require_manage(actor, user.unit)
    if "unit" in fields:
        _require_manage(actor, fields["unit"])
    if "role" in fields:
        _check_role(fields["role"])
    if user.pk == actor.pk and (fields.get("is_active") is False or fields.get("role", user.role) != user.role):
        raise DomainError(_("Không tự khóa hoặc tự đổi vai trò của chính mình."), field="role")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(user, name, value)
    if changes:
        user.save()
        audit.record(AuditKind.USER_CHANGED, request=request, actor=actor, target=user, changes=changes)
    return user


def _plain(value: object) -> object:
    return getattr(value, "code", value)


@transaction.atomic
def set_password(user: User, *, actor: User, password: str, request: HttpRequest | None = None) -> None:
    if actor.pk != user.pk:
        _require_manage(actor, user.unit)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(AuditKind.PASSWORD_CHANGED, request=request, actor=actor, target=user)


@transaction.atomic
def change_own_password(user: User, *, old: str, new: str, request: HttpRequest | None = None) -> None:
    """A user's own password change (Đổi mật khẩu): the current password again, Django's validators."""
    if not user.check_password(old):
        raise DomainError(_("Mật khẩu hiện tại không đúng."), field="old_password")
    set_password(user, actor=user, password=new, request=request)


# Sent inside reset_otp's transaction; receivers return how many credentials they revoked. The api app
# revokes the user's tokens here (accounts must not import it: apps depend only on those to their left).
second_factor_reset = Signal()


@transaction.atomic
def reset_otp(user: User, *, actor: User, request: HttpRequest | None = None) -> None:
    """Remove a user's authenticator (a lost phone); they enrol again at next sign-in if required.

    Their API tokens are revoked too: whoever holds the lost phone may hold a token as well, and a token
    issued under the old factor must not outlive it."""
    _require_manage(actor, user.unit)
    TOTPDevice.objects.filter(user=user).delete()
    revoked = sum(int(count or 0) for _receiver, count in second_factor_reset.send(sender=User, user=user))
    audit.record(AuditKind.OTP_RESET, request=request, actor=actor, target=user, changes={"tokens_revoked": revoked})


@transaction.atomic
def set_role_policy(role: str, *, actor: User, require_otp: bool, request: HttpRequest | None = None) -> RolePolicy:
    if not allowed(actor, "users.manage") or actor.unit_id is not None and not actor.is_superuser:
        # The policy applies to every user of the role, so only a top-level administrator sets it.
        raise PermissionDenied(_("Chỉ quản trị hệ thống cấp cao nhất được đổi yêu cầu này."))
    _check_role(role)
    policy, _created = RolePolicy.objects.get_or_create(role=role)
    if policy.require_otp != require_otp:
        policy.require_otp = require_otp
        policy.save()
        audit.record(
            AuditKind.ROLE_POLICY_CHANGED,
            request=request,
            actor=actor,
            changes={"role": role, "require_otp": require_otp},
        )
    return policy


def _require_grant(actor: Actor, user: User, unit: "Unit") -> None:
    """An administrator of the user's subtree who may also read `unit`'s (or the console)."""
    _require_manage(actor, user.unit)
    if not isinstance(actor, Console):
        require(actor, "users.manage", unit=unit)


@transaction.atomic
def grant_scope(
    user: User, unit: "Unit", *, actor: Actor, note: str = "", request: HttpRequest | None = None
) -> ScopeGrant:
    """Let `user` also read the subtree of `unit` (reading only), in the audit log."""
    _require_grant(actor, user, unit)
    if user.unit is not None and unit.path.startswith(user.unit.path):
        raise DomainError(
            _("%(unit)s đã thuộc phạm vi của %(user)s.") % {"unit": unit.name, "user": user.username}, field="unit"
        )
    grant, created = ScopeGrant.objects.get_or_create(
        user=user, unit=unit, defaults={"note": nfc(note), "granted_by": actor if isinstance(actor, User) else None}
    )
    if created:
        audit.record(
            AuditKind.SCOPE_GRANTED,
            request=request,
            actor=actor,
            target=user,
            unit=user.unit,
            changes={"unit": unit.code, "note": grant.note, **({"via": "console"} if actor is CONSOLE else {})},
        )
    forget_grants(user)
    return grant


@transaction.atomic
def revoke_scope(user: User, unit: "Unit", *, actor: Actor, request: HttpRequest | None = None) -> bool:
    _require_grant(actor, user, unit)
    deleted, _rows = ScopeGrant.objects.filter(user=user, unit=unit).delete()
    if deleted:
        audit.record(
            AuditKind.SCOPE_REVOKED,
            request=request,
            actor=actor,
            target=user,
            unit=user.unit,
            changes={"unit": unit.code, **({"via": "console"} if actor is CONSOLE else {})},
        )
    forget_grants(user)
    return bool(deleted)
