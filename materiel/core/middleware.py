"""Refuse NUL characters in input before anything touches the database.

PostgreSQL text cannot hold NUL (SQLite silently can): a stray \\x00 in a query string or a JSON body
would otherwise end in a 500 on one database and not the other. Found by the API fuzz test.
"""

import json
import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _("Dữ liệu gửi lên chứa ký tự NUL không hợp lệ.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": message, "field": None}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return True
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        if content_type == "application/json":
            # A NUL arrives raw or escaped as \u0000; only the decoded strings tell.
            return b"\x00" in request.body or _contains_nul(_json_or_none(request.body))
        return False


def _json_or_none(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def passive(view):
    """Mark a view whose requests are not user activity (a progress poll): they leave the session as it is.

    Such a request neither extends the sliding session (an open tab polling must not keep a session alive
    forever) nor writes it, so on SQLite it never waits behind a long import holding the write lock.
    """
    view.passive = True
    return view


# The session is written again when its last extension is older than this share of the idle timeout
# (MATERIEL_SESSION_MINUTES): a minute at the default 30, six seconds at 3. The effective idle timeout is
# therefore between 29/30 of the setting and the setting itself.
REFRESH_FRACTION = 30
REFRESHED_AT = "_refreshed_at"


def refresh_seconds() -> int:
    return max(1, settings.SESSION_COOKIE_AGE // REFRESH_FRACTION)


class SessionMiddleware(DjangoSessionMiddleware):
    """Sliding sessions that write at most once per thirtieth of the idle timeout per user.

    Every request extends the session, as SESSION_SAVE_EVERY_REQUEST would, but only when the last
    extension is older than refresh_seconds(): a page view no longer writes and commits the session
    each time (a durable commit serialised across workers on SQLite), and the expiry lags by at most a
    thirtieth of the timeout. Passive requests (progress polls) never extend it.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.session_passive = getattr(view_func, "passive", False)

    def process_response(self, request, response):
        if getattr(request, "session_passive", False):
            return response
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and not session.modified:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= refresh_seconds():
                session[REFRESHED_AT] = now  # marks it modified: saved with a fresh expiry
        return super().process_response(request, response)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NoStoreMiddleware:
    """API answers and spreadsheet downloads carry register data: no browser or proxy cache keeps them
    (`Cache-Control: no-store`), so a shared or later user of the machine cannot read them back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") or response.get("Content-Type", "").startswith(XLSX_TYPE):
            patch_cache_control(response, no_store=True, private=True)
        return response
