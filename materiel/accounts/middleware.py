"""Two-factor sign-in: a user with an authenticator must give its code; a role may require one."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .models import RolePolicy, User


def needs_second_factor(user: User) -> bool:
    """A user with an authenticator, or of a role that requires one, must give a code each sign-in."""
    has_device: bool = user_has_device(user)
    return has_device or RolePolicy.requires_otp(user.role)


# Pages a half-signed-in user may still reach.
EXEMPT = ("accounts:otp_verify", "accounts:otp_setup", "web:logout", "web:login")
# The API's own pages (schema, Swagger UI) are pages: a half-signed-in user is sent to the code screen.
API_PAGES = ("api:openapi-json", "api:openapi-view")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: object, view_kwargs: object
    ) -> HttpResponseBase | None:
        user: Any = request.user  # django_otp's OTPMiddleware gave it is_verified()
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.view_name in EXEMPT:
            return None
        if request.path.startswith("/api/") and not (match and match.view_name in API_PAGES):
            # API operations authenticate themselves: a session without its second factor is not accepted
            # there (api.auth.VerifiedSessionAuth) and gets the documented 401 JSON, not an HTML redirect.
            return None
        if user_has_device(user):
            return redirect(reverse("accounts:otp_verify") + "?next=" + request.get_full_path())
        if RolePolicy.requires_otp(user.role):
            return redirect(reverse("accounts:otp_setup") + "?next=" + request.get_full_path())
        return None
