"""Administration pages (accounts, audit log, role rules) and the two-factor screens."""

from datetime import datetime, time

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_stubs_ext import StrOrPromise

from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.core.xlsx import write_xlsx, xlsx_response
from materiel.units.models import Unit

from . import audit, services
from .audit_table import AUDIT_COLUMNS, audit_table
from .forms import AuditFilterForm, PasswordChangeForm, TokenForm, UserForm
from .models import AuditEntry, AuditKind, AuditQuerySet, Role, RolePolicy, User
from .requests import UserRequest
from .scoping import PermissionDenied, allowed, restrict


def require_page(user: User, action: str) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def scoped_users(user: User) -> "QuerySet[User]":
    return restrict(User.objects.select_related("unit"), user, "unit__path")


def user_list(request: UserRequest) -> HttpResponse:
    require_page(request.user, "users.manage")
    users = scoped_users(request.user).order_by("unit__path", "username")
    return render(request, "accounts/users.html", {"users": users, "policies": _policies()})


def _policies() -> list[tuple[str, StrOrPromise, bool]]:
    required = set(RolePolicy.objects.filter(require_otp=True).values_list("role", flat=True))
    return [(value, label, value in required) for value, label in Role.choices]


def _form_error(form: Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def user_create(request: UserRequest) -> HttpResponse:
    require_page(request.user, "users.manage")
    units = Unit.objects.visible_to(request.user).filter(dissolved_on__isnull=True)
    form = UserForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                rank_title=data["rank_title"],
                unit=data["unit"],
                role=data["role"],
                password=data["password"],
                request=request,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã tạo tài khoản %(name)s.") % {"name": user.username})
            return redirect("accounts:users")
    return render(
        request, "accounts/user_form.html", {"form": form, "creating": True}, status=422 if form.errors else 200
    )


@object_view(User)
def user_edit(request: UserRequest, pk: int) -> HttpResponse:
    # Out of scope is 404 for everyone, before any question of role.
    target = get_object_or_404(scoped_users(request.user), pk=pk)
    require_page(request.user, "users.manage")
    units = Unit.objects.visible_to(request.user).filter(dissolved_on__isnull=True)
    initial = {
        "username": target.username,
        "full_name": target.first_name,
        "rank_title": target.rank_title,
        "unit": target.unit,
        "role": target.role,
        "is_active": target.is_active,
    }
    form = UserForm(request.POST or None, units=units, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                target,
                actor=request.user,
                request=request,
                first_name=data["full_name"],
                rank_title=data["rank_title"],
                unit=data["unit"],
                role=data["role"],
                is_active=data["is_active"],
            )
            if data["password"]:
                services.set_password(target, actor=request.user, password=data["password"], request=request)
            if data["reset_otp"]:
                services.reset_otp(target, actor=request.user, request=request)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu tài khoản %(name)s.") % {"name": target.username})
            return redirect("accounts:users")
    return render(
        request, "accounts/user_form.html", {"form": form, "target": target}, status=422 if form.errors else 200
    )


def role_policy(request: UserRequest) -> HttpResponseRedirect:
    require_page(request.user, "users.manage")
    if request.method == "POST":
        try:
            for value, _label in Role.choices:
                services.set_role_policy(
                    value, actor=request.user, request=request, require_otp=request.POST.get(f"otp-{value}") == "on"
                )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        messages.success(request, _("Đã lưu yêu cầu xác thực hai lớp."))
    return redirect("accounts:users")


def audit_log(request: UserRequest) -> HttpResponseBase:
    require_page(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user).select_related("actor", "target")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["username"]:
            entries = entries.filter(username__icontains=data["username"].strip())
        zone = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, zone))
        if data["until"]:
            entries = entries.filter(at__lte=datetime.combine(data["until"], time.max, zone))
    if request.GET.get("format") == "xlsx":
        return _audit_export(entries, form)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit.html", {"form": form, "page": page, "query": query.urlencode()})


def _audit_export(entries: AuditQuerySet, form: AuditFilterForm) -> HttpResponseBase:
    described: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid():
        for name, value in form.cleaned_data.items():
            if value:
                shown = value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)
                described.append((str(form.fields[name].label), shown))
    output = write_xlsx(
        title=_("NHẬT KÝ THAO TÁC"),
        filters=described,
        columns=AUDIT_COLUMNS,
        rows=audit_table(entries),
        sheet=_("Nhật ký truy cập"),
    )
    return xlsx_response(output, "nhat-ky-thao-tac.xlsx")


def password_change(request: UserRequest) -> HttpResponse:
    """Đổi mật khẩu: the signed-in user's own, after giving the current one again. The user's other
    sessions end (their session hash no longer matches); this one stays signed in."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                request.user,
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
                request=request,
            )
        except DomainError as error:
            form.add_error("new_password1", error.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã bị đăng xuất."))
            return redirect("web:dashboard")
    return render(request, "accounts/password.html", {"form": form}, status=422 if form.errors else 200)


def _next_url(request: UserRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


def otp_verify(request: UserRequest) -> HttpResponse:
    """Second step of sign-in for a user with an authenticator."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next(
            (
                d
                for d in TOTPDevice.objects.filter(user=request.user, confirmed=True)
                if d.verify_token(form.cleaned_data["token"].strip())
            ),
            None,
        )
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        audit.record(AuditKind.OTP_FAILED, request=request, actor=request.user, target=request.user)
        form.add_error("token", _("Mã không đúng hoặc đã hết hạn."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=422 if form.errors else 200,
    )


def otp_setup(request: UserRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with a code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("accounts:otp_verify")
        device = TOTPDevice.objects.create(user=request.user, name=_("Ứng dụng xác thực"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(AuditKind.OTP_ENROLLED, request=request, actor=request.user, target=request.user)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(_next_url(request))
        form.add_error("token", _("Mã không đúng hoặc đã hết hạn."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr": qr, "secret": secret, "next": _next_url(request)},
        status=422 if form.errors else 200,
    )


def _base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
