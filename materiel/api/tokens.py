"""Issuing, checking and revoking API tokens."""

import hashlib
import hmac
import secrets
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device

from materiel.accounts.models import RolePolicy
from materiel.core.errors import DomainError

from .models import ApiToken

PREFIX = "mat"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, *, name: str, expires_on: date | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Chưa nhập tên gợi nhớ cho khóa."), field="name")
    if expires_on is not None and expires_on < timezone.localdate():
        raise DomainError(_("Ngày hết hạn đã qua."), field="expires_on")
    prefix = secrets.token_hex(4)
    plain = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(plain), expires_on=expires_on)
    return token, plain


def user_for_token(plain: str):
    """The active user behind a usable token, or None."""
    parts = (plain or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    token = ApiToken.objects.select_related("user__unit").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(plain)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    if RolePolicy.requires_otp(token.user.role) and not user_has_device(token.user):
        # The role now requires two-factor sign-in and this user has not enrolled: a token must not be
        # the way around it. It works again once they have (a reset of the factor revokes tokens).
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def revoke_all(user) -> int:
    """Revoke every usable token of `user` (their second factor was reset); how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_on_reset(sender, user, **kwargs) -> int:
    return revoke_all(user)


def revoke_token(token: ApiToken, *, actor) -> None:
    if token.user_id != actor.pk:
        raise DomainError(_("Không tìm thấy khóa."), field="token", code="not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
