"""Refuse text no database can store before anything touches one.

PostgreSQL text cannot hold NUL (SQLite silently can), and neither database can encode a lone UTF-16
surrogate ("\\ud800" in a JSON string is valid JSON, and Python's UTF-8 codec then raises): either
would end in a 500, on one database or on both. A JSON body nested thousands of levels deep makes
the parser itself raise RecursionError. All found by the API fuzz test and review; all are answered
400 here, naming the field.
"""

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from materiel.core import bounds

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
GetResponse = Callable[[HttpRequest], HttpResponseBase]
View = TypeVar("View", bound=Callable[..., Any])


class RejectNulMiddleware:
    """NUL characters, lone surrogates and over-deep JSON bodies: 400 with the field they are in."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        problem = self._problem(request)
        if problem is not None:
            message, field = problem
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": message, "field": field}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _problem(request: HttpRequest) -> tuple[str, str | None] | None:
        for key, values in request.GET.lists():
            if any(_bad_text(value) for value in [key, *values]):
                return _bad_text_message(key), key
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            for key, values in request.POST.lists():
                if any(_bad_text(value) for value in [key, *values]):
                    return _bad_text_message(key), key
            return None
        # The API parses any other body as JSON whatever its declared type (ninja's parser does).
        is_json = content_type == "application/json" or request.path.startswith("/api/")
        if content_type.startswith(FORMS) or not is_json:
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            # Refused here, as JSON for the API: left to Django it became an HTML 400 page.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            return _("Nội dung gửi lên quá lớn (tối đa %(mb)s MB).") % {"mb": round(limit / 2**20, 1)}, "body"
        if not body:
            return None
        if b"\x00" in body:
            return _bad_text_message("body"), "body"
        try:
            data = json.loads(body)
        except RecursionError:
            return _too_deep(), "body"
        except ValueError:
            return None  # not JSON: the API answers that itself
        return _walk(data)


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def _bad_text_message(field: str) -> str:
    return _("Trường %(field)s chứa ký tự không hợp lệ (NUL hoặc mã UTF-16 lẻ).") % {"field": field}


def _too_deep() -> str:
    return _("Nội dung JSON lồng nhau quá sâu (tối đa %(limit)s mức).") % {"limit": bounds.MAX_JSON_DEPTH}


def _walk(data: object) -> tuple[str, str | None] | None:
    """The first bad string of a decoded body and its path ("items.3.serial"); iterative, as a body
    a thousand levels deep would overflow a recursive walk."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > bounds.MAX_JSON_DEPTH:
            return _too_deep(), "body"
        if isinstance(value, str):
            if _bad_text(value):
                field = path or "body"
                return _bad_text_message(field), field
        elif isinstance(value, dict):
            for key, item in value.items():
                here = f"{path}.{key}" if path else str(key)
                if _bad_text(key):
                    return _bad_text_message("body"), "body"
                stack.append((item, here, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value))
    return None


def passive(view: View) -> View:
    """Mark a view whose requests are not user activity (a progress poll): they leave the session as it is.

    Such a request neither extends the sliding session (an open tab polling must not keep a session alive
    forever) nor writes it, so on SQLite it never waits behind a long import holding the write lock.
    """
    view.passive = True  # type: ignore[attr-defined]  # a marker on the view function, read below
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

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: object, view_kwargs: object
    ) -> None:
        request.session_passive = getattr(view_func, "passive", False)  # type: ignore[attr-defined]  # read below

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
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

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith("/api/") or response.get("Content-Type", "").startswith(XLSX_TYPE):
            patch_cache_control(response, no_store=True, private=True)
        return response
