"""Writing the audit log, and the sign-in signals that feed it."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEntry, AuditKind, User


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    kind: str, *, request=None, actor=None, target=None, username: str = "", changes=None, unit=None
) -> AuditEntry:
    """Append one entry; the unit is the one named, else the target's, else the actor's, so
    administrators see their own."""
    unit = unit or getattr(target, "unit", None) or getattr(actor, "unit", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        kind=kind,
        actor=actor,
        target=target,
        unit=unit,
        username=username or getattr(target, "username", "") or getattr(actor, "username", ""),
        address=client_address(request),
        changes=changes or {},
    )


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(AuditKind.LOGIN, request=request, actor=user, target=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.LOGOUT, request=request, actor=user, target=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    target = User.objects.filter(username=username).first()
    record(AuditKind.LOGIN_FAILED, request=request, target=target, username=username)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    target = User.objects.filter(username=username).first()
    record(AuditKind.LOCKOUT, request=request, target=target, username=username or "", changes={"address": ip_address})
