"""Official documents drawn up around ledger events: the handover record (biên bản bàn giao).

A record points at the transfer events it documents; events never point back and are never changed
(the ledger is append-only), so the record and its lines are written beside the events, in the same
transaction, by `documents.services.hand_over`. A receipt from outside the unit tree (a depot of the
General Department, a factory) is documented the same way (biên bản giao nhận,
`documents.services.receive`): the giving side is then the outside party's name, not a unit.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.ledger.records import EventLine
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
    # The giving side: a unit of the tree, or (a receipt from outside it) the outside party's name.
    from_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("bên giao")
    )
    outside_party = models.CharField(_("bên giao ngoài hệ thống"), max_length=200, blank=True)
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
            # A unit's own records are numbered in its own sequence; a receipt's record carries the
            # number the outside party gave it, unique per party (two suppliers may both send "15/BBBG").
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "number"],
                condition=models.Q(outside_party=""),
                name="unique_handover_number",
            ),
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "outside_party", "number"],
                condition=~models.Q(outside_party=""),
                name="unique_receipt_number",
            ),
            models.CheckConstraint(
                condition=models.Q(from_unit__isnull=False, outside_party="")
                | models.Q(from_unit__isnull=True) & ~models.Q(outside_party=""),
                name="handover_one_giving_side",
            ),
        ]
        indexes = [models.Index(fields=["handed_on", "id"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.handed_on:%d/%m/%Y})"

    @property
    def is_receipt(self) -> bool:
        """A receipt from outside the tree: its lines are receipt events, not transfers."""
        return self.from_unit_id is None

    @property
    def giving_party(self) -> str:
        return self.from_unit.name if self.from_unit is not None else self.outside_party


class HandoverLine(EventLine):
    """One item or lot handed over: the transfer event that moved it (for a lot, its outgoing row)."""

    record = models.ForeignKey(HandoverRecord, on_delete=models.PROTECT, related_name="lines")
    event = models.OneToOneField(
        "ledger.Event", on_delete=models.PROTECT, related_name="handover_line", verbose_name=_("sự kiện")
    )

    class Meta(EventLine.Meta):
        constraints = [models.UniqueConstraint(fields=["record", "position"], name="unique_handover_position")]
