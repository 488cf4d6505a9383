"""The append-only ledger: every change to equipment is an Event; rollups are its projection."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet
from materiel.equipment.models import Status

from . import kinds


class EventKind(models.TextChoices):
    """The names of the register's own event kinds, declared in ledger.register_kinds.

    Not the list of kinds: that is the registry (ledger.kinds), to which any app adds its own from its
    AppConfig.ready() without a change here; `Event.kind` takes its choices from it."""

    RECEIPT = "receipt", _("Tiếp nhận")
    TRANSFER = "transfer", _("Điều chuyển")
    ISSUE = "issue", _("Cấp phát cho cá nhân")
    RETURN = "return", _("Thu hồi từ cá nhân")
    GRADE_CHANGE = "grade_change", _("Phân cấp chất lượng")
    METER_READING = "meter_reading", _("Ghi chỉ số đồng hồ")
    REPAIR_START = "repair_start", _("Đưa đi sửa chữa")
    REPAIR_END = "repair_end", _("Sửa chữa xong")
    SEAL = "seal", _("Niêm cất")
    UNSEAL = "unseal", _("Mở niêm cất")
    AWAIT_DISPOSAL = "await_disposal", _("Đề nghị thanh lý")
    DISPOSE = "dispose", _("Thanh lý")
    LOSE = "lose", _("Báo mất")
    FIND = "find", _("Tìm thấy")
    LOT_RECEIPT = "lot_receipt", _("Nhập lô")
    LOT_ISSUE = "lot_issue", _("Xuất, tiêu hao lô")
    LOT_TRANSFER = "lot_transfer", _("Điều chuyển lô")
    LOT_REGRADE = "lot_regrade", _("Phân cấp lại lô")
    REVERSAL = "reversal", _("Hủy sự kiện ghi nhầm")


__all__ = ["AppendOnlyError"]  # its home is core.records; kept importable from here


class EventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    append_only_message = "Events are append-only: record a reversal instead."

    def effective(self) -> "EventQuerySet":
        """Events that count: neither a reversal nor reversed by one."""
        return self.exclude(kind=kinds.REVERSAL).filter(reversed_by__isnull=True)


class BatchStatus(models.TextChoices):
    COMMITTED = "committed", _("Đã ghi vào sổ")
    REVERTED = "reverted", _("Đã hủy cả đợt")


class Batch(models.Model):
    """Events written together from one source (an imported register file), revertible as a whole."""

    label = models.CharField(_("tên tệp"), max_length=255)
    file_hash = models.CharField(max_length=64, db_index=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.COMMITTED)
    items = models.PositiveIntegerField(_("số trang bị"), default=0)
    lots = models.PositiveIntegerField(_("số lô"), default=0)
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đợt nhập")

    def __str__(self) -> str:
        return f"{self.label} ({self.created_at:%d/%m/%Y})"


class Event(AppendOnlyModel):
    """One change to one item or lot, as recorded: never edited, never deleted."""

    append_only_message = "Events are append-only: record a reversal instead."

    kind = models.CharField(_("loại sự kiện"), max_length=20, choices=kinds.choices)
    occurred_on = models.DateField(_("ngày phát sinh"))
    recorded_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )
    # The owning unit after the event: scoping and rollups follow it.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="events")
    from_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, null=True, related_name="events")
    lot = models.ForeignKey("equipment.Lot", on_delete=models.PROTECT, null=True, related_name="events")
    # State of an item before and after: every item event carries the full snapshot after it, so a
    # past day's state is the latest effective event per item up to that day.
    grade_before = models.PositiveSmallIntegerField(null=True)
    grade_after = models.PositiveSmallIntegerField(null=True)
    status_before = models.CharField(max_length=20, choices=Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Status.choices, blank=True)
    holder_before = models.CharField(max_length=150, blank=True)
    holder_after = models.CharField(max_length=150, blank=True)
    # Signed change of a lot's quantity.
    quantity = models.BigIntegerField(null=True)
    document_number = models.CharField(_("số văn bản"), max_length=80, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, related_name="reversed_by", verbose_name=_("hủy sự kiện")
    )
    # Rows written together (the two sides of a lot transfer) share a group key.
    group = models.CharField(max_length=36, blank=True, db_index=True)
    # The import batch that wrote this event, if any.
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    # Per-stream hash chain (one stream per item or lot), so writers on different items never wait
    # on each other; LedgerSeal chains the streams together in committed ranges.
    stream = models.CharField(max_length=40)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["item", "occurred_on", "id"]),
            models.Index(fields=["lot", "occurred_on", "id"]),
            # With the item: the items a subtree ever held (ledger.asof.ever_held_sql) are read from the
            # index alone, no row lookups (a province's past-day dashboard).
            models.Index(fields=["unit", "occurred_on", "item"]),
            models.Index(fields=["kind", "occurred_on"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def unit_before_id(self) -> int:
        return self.from_unit_id if self.from_unit_id else self.unit_id


class Rollup(models.Model):
    """How many items (or lot units) of a type, grade and status lie in a unit's whole subtree.

    One row set per ancestor: a province's totals are read from its own rows, never by scanning items.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    equipment_type = models.ForeignKey("catalog.EquipmentType", on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20)
    quantity = models.BigIntegerField(default=0)
    # Of `quantity`, the items with a part of their kit damaged, and those missing a part (đồng bộ):
    # completeness is a dimension of the rollups, read with the grades, never by scanning items.
    kit_damaged = models.BigIntegerField(default=0)
    kit_missing = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "equipment_type", "grade", "status"], name="unique_rollup_cell")
        ]


class SealQuerySet(AppendOnlyQuerySet):
    append_only_message = "Seals are append-only."


class SealAlgorithm(models.TextChoices):
    # Seals made before the key existed: plain SHA-256, anyone can recompute them. Still verified,
    # reported as unkeyed; never made any more.
    SHA256 = "sha256", "SHA-256"
    HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"


class LedgerSeal(AppendOnlyModel):
    """A keyed digest over every event hash in an id range, chained to the previous seal.

    Per-item chains catch an edited or removed event inside a stream; seals also catch a whole
    stream (an item with all its events) removed or inserted after sealing, and, being keyed with a
    file outside the database and copied to the seal file, an event rewritten with its hashes
    recomputed. `digest` is also read by `materiel backup`'s manifest.
    """

    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.BigIntegerField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField(default=timezone.now)
    algorithm = models.CharField(max_length=20, choices=SealAlgorithm.choices, default=SealAlgorithm.HMAC_SHA256)
    key_id = models.CharField(max_length=16, blank=True)  # sealkey.key_id of the key that made it

    objects = SealQuerySet.as_manager()

    class Meta:
        ordering = ["last_event_id"]


class SnapshotDay(models.Model):
    """A day whose subtree totals were stored (ledger.snapshots): the past-day fold starts from here.

    Built from the events with id <= through_event_id; events recorded later (any date) are
    corrected for at read time, so a snapshot never goes stale, it only gets slower to use."""

    day = models.DateField(unique=True)
    through_event_id = models.BigIntegerField()
    units = models.JSONField(default=list)  # the units whose subtree totals are stored
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]


class RollupSnapshot(models.Model):
    """Items of a type, grade and status in a unit's subtree (as the tree stood) on a snapshot day."""

    snapshot = models.ForeignKey(SnapshotDay, on_delete=models.CASCADE, related_name="cells")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    grade = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20)
    quantity = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "unit"])]


class ChangeCounter(models.Model):
    """A number that database triggers raise on every write to a watched table.

    `authorised_holdings` (catalog.AuthorizedHolding, migration ledger/0005) keys the cache of
    authorised totals per subtree in ledger.coefficients: any write, by any process, invalidates it."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)
