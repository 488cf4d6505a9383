"""Official documents drawn up around ledger events: the handover record (biên bản bàn giao).

A record points at the transfer events it documents; events never point back and are never changed
(the ledger is append-only), so the record and its lines are written beside the events, in the same
transaction, by `documents.services.hand_over`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.units.models import PATH_END


class HandoverQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HandoverQuerySet":
        """A record belongs to both parties: users who see either the giving or the receiving unit."""
        from materiel.accounts.scoping import restrict

        return restrict(self, user, "from_unit__path") | restrict(self, user, "to_unit__path")

    def touching(self, unit) -> "HandoverQuerySet":
        """Records whose giving or receiving unit lies in `unit`'s subtree."""
        end = unit.path + PATH_END
        return self.filter(
            models.Q(from_unit__path__gte=unit.path, from_unit__path__lt=end)
            | models.Q(to_unit__path__gte=unit.path, to_unit__path__lt=end)
        )


class HandoverRecord(models.Model):
    """A handover record: who gave what to whom, on which day, under which number."""

    number = models.CharField(_("số biên bản"), max_length=80)
    # Numbers run per issuing unit and calendar year ("12/BBBG" of 2025 of this unit).
    year = models.PositiveSmallIntegerField(_("năm"))
    issuing_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị lập biên bản")
    )
    handed_on = models.DateField(_("ngày bàn giao"))
    place = models.CharField(_("địa điểm"), max_length=120, blank=True)
    from_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bên giao"))
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bên nhận"))
    giver_name = models.CharField(_("người giao"), max_length=150, blank=True)
    giver_title = models.CharField(_("cấp bậc, chức vụ người giao"), max_length=150, blank=True)
    receiver_name = models.CharField(_("người nhận"), max_length=150, blank=True)
    receiver_title = models.CharField(_("cấp bậc, chức vụ người nhận"), max_length=150, blank=True)
    reason = models.CharField(_("lý do, căn cứ"), max_length=300, blank=True)
    notes = models.TextField(_("ghi chú"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người lập")
    )
    created_at = models.DateTimeField(_("thời điểm lập"), default=timezone.now)

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("biên bản bàn giao")
        verbose_name_plural = _("biên bản bàn giao")
        ordering = ["-handed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "year", "number"], name="unique_handover_number")
        ]
        indexes = [models.Index(fields=["handed_on", "id"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.handed_on:%d/%m/%Y})"


class HandoverLine(models.Model):
    """One item or lot handed over: the transfer event that moved it (for a lot, its outgoing row)."""

    record = models.ForeignKey(HandoverRecord, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("thứ tự"))
    event = models.OneToOneField(
        "ledger.Event", on_delete=models.PROTECT, related_name="handover_line", verbose_name=_("sự kiện")
    )

    class Meta:
        ordering = ["record", "position"]
        constraints = [models.UniqueConstraint(fields=["record", "position"], name="unique_handover_position")]
