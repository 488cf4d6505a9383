"""The annual count and grading campaign (kiểm kê, đánh giá phân cấp chất lượng).

An echelon launches a `Campaign` over its subtree with a reference date; each unit in scope gets one
`Sheet` listing what it held on that day (items and lots, by storage place), filled line by line
(found or not, serial as read, grade found, kit missing, quantity counted), with surplus lines for
what was found and was not listed. The sheet goes up: submitted, approved by the unit's commander,
approved by the launching echelon — or sent back with a reason at either step (`Step`, append-only).
Only the final approval writes to the ledger: every grade change, loss, find and lot adjustment in
one batch dated the reference date, each event linked to the sheet by a `CountLine`; the sheet's
summary is stored then and never recomputed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet
from materiel.ledger.records import EventLine


class CampaignState(models.TextChoices):
    OPEN = "open", _("Đang kiểm kê")
    CLOSED = "closed", _("Đã hoàn thành")


class Campaign(models.Model):
    """A count and grading campaign launched by an echelon over its subtree."""

    launching_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp tổ chức kiểm kê")
    )
    title = models.CharField(_("tên đợt kiểm kê"), max_length=200)
    reference_date = models.DateField(_("thời điểm kiểm kê"))
    deadline = models.DateField(_("hạn hoàn thành"))
    # Empty means all: every category, every kind of unit.
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+", verbose_name=_("nhóm"))
    unit_kinds = models.ManyToManyField("units.UnitKind", blank=True, related_name="+", verbose_name=_("loại đơn vị"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=CampaignState.choices, default=CampaignState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reference_date", "-id"]
        verbose_name = _("đợt kiểm kê")

    def __str__(self) -> str:
        return self.title


class SheetState(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    COUNTING = "counting", _("Đang kiểm kê")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Bị trả lại")
    UNIT_APPROVED = "unit_approved", _("Chỉ huy đơn vị đã duyệt")
    APPROVED = "approved", _("Cấp trên đã phê duyệt")


# The states in which the unit still fills its sheet.
FILLING = (SheetState.NOT_STARTED, SheetState.COUNTING, SheetState.RETURNED)


class SheetQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Sheet(models.Model):
    """One unit's count sheet (phiếu kiểm kê) in a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=SheetState.choices, default=SheetState.NOT_STARTED)
    # Each change bumps it; a form or a file that saw an older one is refused (ConflictError).
    version = models.PositiveIntegerField(default=1)
    # Frozen at the final approval (summary()): the figures the minute prints thereafter.
    summary = models.JSONField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("phiếu kiểm kê")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="unique_sheet_per_unit")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}"

    @property
    def filling(self) -> bool:
        return self.state in FILLING


class LineKind(models.TextChoices):
    ITEM = "item", _("Trang bị")
    LOT = "lot", _("Lô")
    SURPLUS = "surplus", _("Thừa")


class SheetLine(models.Model):
    """One line of a sheet: what the books said on the reference date, and what the count found.

    A listed item: `found` (None until counted), the serial as read, the grade found. A lot: the
    quantity counted. A surplus line: an item found that was not listed (type, serial, grade)."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("số thứ tự"))
    kind = models.CharField(max_length=10, choices=LineKind.choices)
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.ForeignKey("equipment.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    equipment_type = models.ForeignKey("catalog.EquipmentType", on_delete=models.PROTECT, related_name="+")
    # Where it was kept on the reference date (empty: no place recorded).
    place = models.ForeignKey("storage.StoragePlace", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    serial_expected = models.CharField(_("số hiệu theo sổ"), max_length=80, blank=True)
    grade_expected = models.PositiveSmallIntegerField(_("cấp theo sổ"), null=True, blank=True)
    quantity_expected = models.PositiveIntegerField(_("số lượng theo sổ"), null=True, blank=True)
    found = models.BooleanField(_("có"), null=True, blank=True)
    serial_read = models.CharField(_("số hiệu đọc được"), max_length=80, blank=True)
    grade_found = models.PositiveSmallIntegerField(_("cấp kiểm kê"), null=True, blank=True)
    # As written: "Hộp tiếp đạn thiếu 1; lưỡi lê hỏng" (ledger.kit.parse_shortages, against the type's kit).
    kit_missing = models.CharField(_("đồng bộ thiếu"), max_length=300, blank=True)
    quantity_counted = models.PositiveIntegerField(_("số lượng kiểm đếm"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="unique_count_line_position"),
            models.UniqueConstraint(
                fields=["sheet", "item"], condition=models.Q(kind="item"), name="unique_count_line_item"
            ),
            models.UniqueConstraint(
                fields=["sheet", "lot"], condition=models.Q(kind="lot"), name="unique_count_line_lot"
            ),
        ]

    @property
    def label(self) -> str:
        """How the sheet names the line: the serial (as listed, or as read for a surplus), a lot's number."""
        if self.kind == LineKind.LOT:
            return self.lot.lot_number if self.lot_id and self.lot else ""
        return self.serial_expected or self.serial_read

    @property
    def resolved(self) -> bool:
        if self.kind == LineKind.LOT:
            return self.quantity_counted is not None
        return self.kind == LineKind.SURPLUS or self.found is not None


class StepQuerySet(AppendOnlyQuerySet):
    pass


class Step(AppendOnlyModel):
    """One move of a sheet: started, submitted, sent back (with the reason), approved by the unit's
    commander, approved by the launching echelon."""

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(max_length=20, choices=SheetState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=SheetState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["sheet", "id"]


class CountLine(EventLine):
    """An event the final approval wrote: a grade change, a loss, a find, a lot adjustment."""

    record = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="event_lines")
