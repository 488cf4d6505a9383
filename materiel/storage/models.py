"""Where equipment is kept: the kinds of storage place (reference data), the places of each unit
(kho, phòng vũ khí, tủ súng, nhà xe), and the place each item is in now (a projection of the ledger).

An item's place is a fact of its own, apart from its grade and status: it changes by the
`relocation` event (chuyển nơi cất giữ, `storage.kinds`) and is lost when the item leaves the unit
that owns the place. `ItemPlace` holds it for the items that have one; `materiel verify` replays it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet


class PlaceKind(models.Model):
    """A kind of storage place (reference data): a depot, a weapon room, a gun cabinet, a vehicle
    shed… The shipped rows are examples (docs/glossary.md); the depot logs' thresholds hang here."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên loại nơi cất giữ"), max_length=80, unique=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("loại nơi cất giữ")

    def __str__(self) -> str:
        return self.name


class StoragePlace(models.Model):
    """A storage place of one unit: its depot, weapon room, gun cabinet or vehicle shed."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="storage_places", verbose_name=_("đơn vị")
    )
    kind = models.ForeignKey(PlaceKind, on_delete=models.PROTECT, related_name="places", verbose_name=_("loại"))
    code = models.CharField(_("ký hiệu"), max_length=40)
    name = models.CharField(_("tên nơi cất giữ"), max_length=120)
    capacity = models.PositiveIntegerField(_("sức chứa (trang bị)"), null=True, blank=True)
    responsible = models.CharField(_("người phụ trách"), max_length=120, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    closed_on = models.DateField(_("ngừng sử dụng từ ngày"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("nơi cất giữ")
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="unique_place_code_per_unit")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ItemPlaceQuerySet(ScopedQuerySet):
    unit_field = "item__unit"


class ItemPlace(models.Model):
    """The place an item is kept in now, since when: written by the writer in the transaction of
    the event that put it there (or took it out of its unit), never by hand."""

    item = models.OneToOneField("equipment.Item", on_delete=models.CASCADE, related_name="place_row")
    place = models.ForeignKey(StoragePlace, on_delete=models.PROTECT, related_name="item_rows")
    since = models.DateField()

    objects = ItemPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("nơi cất giữ của trang bị")

    def __str__(self) -> str:
        return f"{self.item_id}@{self.place_id}"


class Measure(models.TextChoices):
    """What a depot condition log records (sổ theo dõi kho): two readings and two checks."""

    TEMPERATURE = "temperature", _("Nhiệt độ (°C)")
    HUMIDITY = "humidity", _("Độ ẩm (%)")


class ConditionThreshold(models.Model):
    """The range a reading must stay within in one kind of place (reference data). The shipped rows
    are examples: the civil state-reserve standard's 20–25 °C and 45–85 % RH for optical and
    electronic stores (docs/storage-and-counts.md), not a rule of the product."""

    kind = models.ForeignKey(PlaceKind, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("loại"))
    measure = models.CharField(_("chỉ tiêu"), max_length=20, choices=Measure.choices)
    low = models.DecimalField(_("thấp nhất"), max_digits=5, decimal_places=1, null=True, blank=True)
    high = models.DecimalField(_("cao nhất"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind__name", "measure"]
        verbose_name = _("ngưỡng theo dõi kho")
        constraints = [models.UniqueConstraint(fields=["kind", "measure"], name="unique_threshold_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind_id}:{self.measure} {self.low}–{self.high}"


class ReadingQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    unit_field = "place__unit"


class DepotReading(AppendOnlyModel):
    """One line of a depot's condition log: who checked, when, the temperature and humidity read,
    whether fire safety and the locks and seals were in order. Written once: a wrong line is
    answered by a later one with a note, as in the paper book. `alarm` holds what was out of range
    when it was written (against the thresholds of that day), empty when nothing was."""

    place = models.ForeignKey(StoragePlace, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField(_("thời điểm kiểm tra"))
    checked_by = models.CharField(_("người kiểm tra"), max_length=120)
    temperature = models.DecimalField(_("nhiệt độ (°C)"), max_digits=4, decimal_places=1, null=True)
    humidity = models.DecimalField(_("độ ẩm (%)"), max_digits=4, decimal_places=1, null=True)
    fire_ok = models.BooleanField(_("phòng cháy chữa cháy đạt"), null=True)
    seals_ok = models.BooleanField(_("khóa, niêm phong đạt"), null=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    alarm = models.CharField(_("cảnh báo"), max_length=400, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["place", "-taken_at"]
        verbose_name = _("lần ghi sổ theo dõi kho")
        # Also the index the log and the month grid read by.
        constraints = [models.UniqueConstraint(fields=["place", "taken_at"], name="unique_reading_per_moment")]
        # The dashboard counts the alarms of a subtree on every load: the few lines with one.
        indexes = [models.Index(fields=["place"], condition=~models.Q(alarm=""), name="reading_alarms")]

    def __str__(self) -> str:
        return f"{self.place_id}@{self.taken_at:%Y-%m-%d %H:%M}"


class AcknowledgementQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    unit_field = "reading__place__unit"


class Acknowledgement(AppendOnlyModel):
    """An alarm of the log seen and answered: by whom, when, and what was done. The dashboard's
    warning lasts until this row exists."""

    reading = models.OneToOneField(DepotReading, on_delete=models.PROTECT, related_name="acknowledgement")
    action = models.CharField(_("biện pháp đã làm"), max_length=300)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        verbose_name = _("xác nhận cảnh báo kho")

    def __str__(self) -> str:
        return f"ack {self.reading_id}"
