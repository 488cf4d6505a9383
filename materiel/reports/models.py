"""Saved report definitions: a report's kind, unit, period rule and options under a name, re-run in
one click (docs/reports.md). The figures are not stored: each run reads them afresh."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    LAST = "last", _("Kỳ gần nhất đã kết thúc")
    CURRENT = "current", _("Kỳ đang diễn ra")


class SavedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SavedReportQuerySet":
        from materiel.accounts.scoping import restrict

        return restrict(self, user, "unit__path")


class SavedReport(models.Model):
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại báo cáo"), max_length=20, default="quantity")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    period = models.CharField(_("kỳ"), max_length=10)  # month, quarter, half, year
    rule = models.CharField(_("kỳ được lập"), max_length=10, choices=Rule.choices, default=Rule.LAST)
    profile = models.ForeignKey(
        "documents.LayoutProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo đã lưu")
        verbose_name_plural = _("báo cáo đã lưu")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unique_saved_report_name")]

    def __str__(self) -> str:
        return self.name
