"""Users, each bound to a unit (their scope) and a role."""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

if TYPE_CHECKING:
    from .scoping import Reader


class Role(models.TextChoices):
    TECHNICAL_OFFICER = "technical_officer", _("Trợ lý kỹ thuật")
    COMMANDER = "commander", _("Người chỉ huy")
    DEPOT_KEEPER = "depot_keeper", _("Thủ kho")
    MECHANIC = "mechanic", _("Nhân viên kỹ thuật")
    REVIEWER = "reviewer", _("Cơ quan chính trị, đảng ủy")
    INSPECTOR = "inspector", _("Cơ quan kỹ thuật cấp trên")
    ADMIN = "admin", _("Quản trị hệ thống")


class User(AbstractUser):
    """A person who signs in; sees and acts within the subtree of `unit`."""

    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("đơn vị"),
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices, default=Role.COMMANDER)
    rank_title = models.CharField(_("cấp bậc, chức vụ"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập sai")
    LOCKOUT = "lockout", _("Tạm khóa đăng nhập")
    LOGOUT = "logout", _("Đăng xuất")
    USER_CREATED = "user_created", _("Tạo tài khoản")
    USER_CHANGED = "user_changed", _("Sửa tài khoản")
    PASSWORD_CHANGED = "password_changed", _("Đặt mật khẩu")
    OTP_ENROLLED = "otp_enrolled", _("Đăng ký xác thực hai lớp")
    OTP_FAILED = "otp_failed", _("Mã xác thực hai lớp sai")
    OTP_RESET = "otp_reset", _("Hủy xác thực hai lớp")
    ROLE_POLICY_CHANGED = "role_policy_changed", _("Đổi yêu cầu xác thực hai lớp của vai trò")
    CATALOG_CHANGED = "catalog_changed", _("Sửa danh mục trang bị")
    HOLDING_CHANGED = "holding_changed", _("Sửa biên chế trang bị")
    SCOPE_GRANTED = "scope_granted", _("Cấp quyền đọc thêm phạm vi")
    SCOPE_REVOKED = "scope_revoked", _("Thu hồi quyền đọc thêm phạm vi")


class AppendOnlyAudit(AppendOnlyError):
    pass


class AuditQuerySet(AppendOnlyQuerySet):
    append_only_message = "The audit log is append-only."
    error = AppendOnlyAudit

    def visible_to(self, user: "Reader") -> "AuditQuerySet":
        """Administrators see the entries about users and units of their own subtree."""
        from .scoping import restrict

        return restrict(self, user, "unit__path")


class AuditEntry(AppendOnlyModel):
    """Who did what to accounts and sign-ins, when and from where: never edited, never deleted."""

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    kind = models.CharField(_("loại"), max_length=30, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("người thực hiện")
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("địa chỉ"), null=True, blank=True)
    target = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("tài khoản"))
    # The unit the entry is about (the target's, else the actor's): scoping follows it.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    changes = models.JSONField(_("nội dung thay đổi"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký truy cập")

    append_only_message = "The audit log is append-only."
    append_only_error = AppendOnlyAudit


class RolePolicy(models.Model):
    """Per-role sign-in rules an administrator sets: whether two-factor sign-in is required."""

    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices, unique=True)
    require_otp = models.BooleanField(_("bắt buộc xác thực hai lớp"), default=False)

    @classmethod
    def requires_otp(cls, role: str) -> bool:
        return cls.objects.filter(role=role, require_otp=True).exists()


class ScopeGrant(models.Model):
    """A read grant: `user` also reads the subtree of `unit`, beside their own (since 2025 the Border
    Guard's technical organ reads every border post of the region, whose units stand under the
    provincial commands). Reading only: writes stay inside the user's own subtree. Given and taken
    back by an administrator (accounts.services.grant_scope), both in the audit log."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scope_grants")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("căn cứ, ghi chú"), max_length=300, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="scope_grant_once")]
