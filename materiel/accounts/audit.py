"""Writing the audit log, and the sign-in signals that feed it."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEntry, AuditKind, User

if TYPE_CHECKING:
    from materiel.units.models import Unit


def client_address(request: HttpRequest | None) -> str | None:
    address: str | None = request.META.get("REMOTE_ADDR") if request is not None else None
    return address


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    actor: object = None,
    target: User | None = None,
    username: str = "",
    changes: dict[str, Any] | None = None,
    unit: "Unit | None" = None,
) -> AuditEntry:
    """Append one entry; the unit is the one named, else the target's, else the actor's, so
    administrators see their own. `actor`: a user, the console (services.CONSOLE) or an anonymous
    request's user; only a signed-in user is stored."""
    unit = unit or getattr(target, "unit", None) or getattr(actor, "unit", None)
    who = actor if isinstance(actor, User) and actor.is_authenticated else None
    return AuditEntry.objects.create(
        kind=kind,
        actor=who,
        target=target,
        unit=unit,
        username=username or getattr(target, "username", "") or getattr(who, "username", ""),
        address=client_address(request),
        changes=changes or {},
    )


@receiver(user_logged_in)
def on_login(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    record(AuditKind.LOGIN, request=request, actor=user, target=user)


@receiver(user_logged_out)
def on_logout(sender: object, request: HttpRequest, user: User | None, **kwargs: object) -> None:
    if user is not None:
        record(AuditKind.LOGOUT, request=request, actor=user, target=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: object, credentials: dict[str, Any] | None, request: HttpRequest | None = None, **kwargs: object
) -> None:
    username = (credentials or {}).get("username", "")
    target = User.objects.filter(username=username).first()
    record(AuditKind.LOGIN_FAILED, request=request, target=target, username=username)


def on_locked_out(
    sender: object, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: object
) -> None:
    target = User.objects.filter(username=username).first()
    record(AuditKind.LOCKOUT, request=request, target=target, username=username or "", changes={"address": ip_address})
