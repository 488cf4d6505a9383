"""One error body for every failure: {"code", "message" (Vietnamese), "field"}, with the right status."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from materiel.core import bounds
from materiel.core.errors import DomainError

STATUS = {"forbidden": 403, "conflict": 409, "not_found": 404}


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def body(code: str, message: str, field: str | None = None) -> dict:
    return {"code": code, "message": message, "field": field}


def _explain(error: dict) -> str:
    """pydantic's error, said in Vietnamese for the kinds clients meet; its own words otherwise."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    bounded = {
        "greater_than_equal": lambda: _("không được nhỏ hơn %(limit)s.") % {"limit": bounds.shown(ctx["ge"])},
        "less_than_equal": lambda: _("không được lớn hơn %(limit)s.") % {"limit": bounds.shown(ctx["le"])},
        "string_too_long": lambda: _("dài quá %(limit)s ký tự.") % {"limit": ctx["max_length"]},
    }
    if kind in bounded and ctx:
        return bounded[kind]()
    messages = {
        "missing": _("bắt buộc phải có."),
        "int_parsing": _("phải là số nguyên."),
        "int_type": _("phải là số nguyên."),
        "bool_parsing": _("phải là true hoặc false."),
        "date_parsing": _("phải là ngày dạng yyyy-mm-dd."),
        "date_from_datetime_parsing": _("phải là ngày dạng yyyy-mm-dd."),
        "date_type": _("phải là ngày dạng yyyy-mm-dd."),
        "day_range": _("phải là ngày từ %(first)s đến %(last)s.")
        % {"first": bounds.MIN_DAY.isoformat(), "last": bounds.MAX_DAY.isoformat()},
        "string_type": _("phải là chuỗi ký tự."),
        "literal_error": _("không thuộc các giá trị cho phép (xem tài liệu API)."),
        "enum": _("không thuộc các giá trị cho phép (xem tài liệu API)."),
        "json_invalid": _("nội dung gửi lên không phải JSON hợp lệ."),
        "model_attributes_type": _("nội dung gửi lên phải là một đối tượng JSON."),
        "dict_type": _("nội dung gửi lên phải là một đối tượng JSON."),
    }
    return messages.get(kind) or error.get("msg", "")


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, body(exc.code, exc.message, exc.field), status=STATUS.get(exc.code, 422))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, body("not_found", _("Không tìm thấy.")), status=404)

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        message = str(exc) or _("Bạn không được phép thực hiện thao tác này.")
        return api.create_response(request, body("forbidden", message), status=403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        message = _("Chưa xác thực: gửi khóa API (Authorization: Bearer …) hoặc đăng nhập.")
        return api.create_response(request, body("unauthenticated", message), status=401)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        location = [str(part) for part in first.get("loc", []) if part not in ("body", "query", "path", "payload")]
        # Multipart parameters come as ("file", "file"): name each field once.
        location = [part for i, part in enumerate(location) if i == 0 or part != location[i - 1]]
        field = ".".join(location) or None
        message = _("Dữ liệu không hợp lệ ở trường %(field)s: %(detail)s") % {
            "field": field or "?",
            "detail": _explain(first),
        }
        return api.create_response(request, body("invalid", message, field), status=422)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = "bad_request" if exc.status_code == 400 else "error"
        return api.create_response(
            request, body(code, _("Yêu cầu không hợp lệ: %(detail)s") % {"detail": exc}), status=exc.status_code
        )


ERROR_STATUSES = (400, 401, 403, 404, 409, 422)


def responses(ok, status: int = 200) -> dict:
    """The success schema plus the documented error body for every error status the API uses."""
    return {status: ok, **{code: ErrorOut for code in ERROR_STATUSES}}
