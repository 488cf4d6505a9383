"""Users, each bound to a unit (their scope) and a role."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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
