"""Idempotent writes: a replayed form or API call answers with its first result and writes nothing.

Every write form carries a key made when the form was drawn (`{% idempotency_key %}`, a hidden
field); API clients send an `Idempotency-Key` header. The first request with a key claims it (a row
committed before the view runs, unique per principal and key), then stores the answer. A replay
finds the claim: the same submission is answered with the stored answer; while the first is still
being answered, it waits a moment and then says so. An API call that sends other content under a
used key is refused; a form's key is taken together with its content, so a form changed after Back
is a new submission. A first request that failed (4xx, 5xx) releases its key, so that the corrected form can be
sent again.

Claiming before the view rather than wrapping the view in one transaction keeps the views' own
transactions as they are (an import starts its worker on commit) and holds no write lock while a
page renders; the cost is that a request killed between its write and its answer leaves its key
pending for ever, which is answered "already received" — never a second write.
"""

import hashlib
import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Submission

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
KEPT_HEADERS = ("Location", "Content-Type", "Content-Disposition", "HX-Redirect", "HX-Location", "HX-Trigger")
MAX_BODY = 256 * 1024  # a larger answer is remembered without its body
KEEP = timedelta(days=30)
WAIT_SECONDS = 5.0


def new_key() -> str:
    return uuid.uuid4().hex


def submitted_key(request: HttpRequest) -> str | None:
    """The key a write request carries (header first, then the form field), or None."""
    if request.method not in WRITES:
        return None
    key = request.headers.get(HEADER)
    if key is None and (request.content_type or "") in FORMS:
        key = request.POST.get(FIELD)
    return key if key is None else key.strip()


def principal_of(request: HttpRequest) -> str | None:
    """Whose key it is: the signed-in user, or the API token that authenticates the call."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "t" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return None


def fingerprint_of(request: HttpRequest) -> str:
    """What was submitted, apart from the key and the CSRF token (which a re-drawn form renews)."""
    digest = hashlib.sha256(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}".encode())
    if (request.content_type or "") in FORMS:
        for name, values in sorted(request.POST.lists()):
            if name not in (FIELD, "csrfmiddlewaretoken"):
                digest.update(repr((name, values)).encode())
        for name, uploads in sorted(request.FILES.lists()):
            digest.update(repr((name, [(upload.name, upload.size) for upload in uploads])).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = submitted_key(request)
        principal = principal_of(request) if key is not None else None
        if key is None or principal is None:
            return self.get_response(request)
        if not KEY.match(key):
            return refusal(request, 400, _("Khóa chống gửi lặp (%(name)s) không hợp lệ.") % {"name": HEADER})
        fingerprint = fingerprint_of(request)
        if request.headers.get(HEADER) is None:
            # A form's key stands for what the form sends: a form changed after Back (other boxes
            # ticked, another value) is a new submission, the same form sent again is a replay.
            key = "f" + hashlib.sha256(f"{key} {fingerprint}".encode()).hexdigest()[:40]
        for _attempt in range(3):
            submission = claim(principal, key, fingerprint)
            if submission is None:
                return self.answer_first(request, principal, key)
            replayed = replay(request, submission, fingerprint)
            if replayed is not None:
                return replayed
        return refusal(request, 409, _("Yêu cầu này đang được xử lý; hãy tải lại trang sau ít giây."))

    def answer_first(self, request: HttpRequest, principal: str, key: str) -> HttpResponseBase:
        try:
            response = self.get_response(request)
        except BaseException:
            release(principal, key)
            raise
        if response.status_code >= 400:
            release(principal, key)
        else:
            remember(principal, key, response, keep_body=is_api(request))
        return response


def claim(principal: str, key: str, fingerprint: str) -> Submission | None:
    """None when this request holds the key now; else the submission that holds it."""
    try:
        with transaction.atomic():
            created = Submission.objects.create(principal=principal, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return Submission.objects.filter(principal=principal, key=key).first() or claim(principal, key, fingerprint)
    if created.pk % 500 == 0:  # now and then, forget what nobody can still replay
        Submission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return None


def release(principal: str, key: str) -> None:
    Submission.objects.filter(principal=principal, key=key, pending=True).delete()


def remember(principal: str, key: str, response: HttpResponseBase, *, keep_body: bool) -> None:
    """Store the answer. A page's body is never kept: it may hold what must be shown once (a new API
    token, a second factor's secret) and a replayed page would show it again; its replay answers
    "already received" instead, and a redirect (what a page's write answers) is replayed as such."""
    # Every answer that is not streamed is an HttpResponse (Django's two kinds of HttpResponseBase).
    body = response.content if keep_body and isinstance(response, HttpResponse) else b""
    Submission.objects.filter(principal=principal, key=key).update(
        pending=False,
        status=response.status_code,
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        body=body if len(body) <= MAX_BODY else b"",
    )


def replay(request: HttpRequest, submission: Submission, fingerprint: str) -> HttpResponse | None:
    """The answer to a request whose key is taken; None if the holder let it go meanwhile."""
    if submission.fingerprint != fingerprint:
        return refusal(
            request, 422, _("Khóa chống gửi lặp này đã dùng cho một yêu cầu khác; hãy tải lại biểu mẫu rồi gửi lại.")
        )
    deadline = time.monotonic() + WAIT_SECONDS
    while submission.pending and time.monotonic() < deadline:
        time.sleep(0.2)
        again = Submission.objects.filter(pk=submission.pk).first()
        if again is None:
            return None
        submission = again
    if submission.pending:
        return refusal(request, 409, _("Yêu cầu này đã được nhận và đang (hoặc đã) được xử lý; không ghi lại lần nữa."))
    return stored_answer(request, submission)


def stored_answer(request: HttpRequest, submission: Submission) -> HttpResponse:
    headers = dict(submission.headers)
    status = submission.status
    assert status is not None, "an answered submission has its status (remember)"
    response: HttpResponse
    if "Location" in headers and 300 <= status < 400:
        response = HttpResponseRedirect(headers.pop("Location"))
        response.status_code = status
        if not is_api(request):
            messages.info(request, _("Biểu mẫu này đã được gửi trước đó; không ghi lại lần nữa."))
    else:
        body = bytes(submission.body)
        if not body and status != 204:
            return refusal(request, 409, _("Yêu cầu này đã được xử lý trước đó; không ghi lại lần nữa."))
        response = HttpResponse(body, status=status, content_type=headers.pop("Content-Type", None))
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if is_api(request):
        code = {400: "bad_request", 409: "conflict"}.get(status, "invalid")
        return JsonResponse({"code": code, "message": message, "field": HEADER}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
