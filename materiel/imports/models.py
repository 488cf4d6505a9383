"""An import job: one uploaded register file on its way from upload through preview to the ledger."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.core.scoped import ScopedQuerySet


class JobState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ kiểm tra")
    CHECKING = "checking", _("Đang đọc và kiểm tra")
    REVIEW = "review", _("Chờ xác nhận")
    REFUSED = "refused", _("Tệp bị từ chối")
    COMMIT_QUEUED = "commit_queued", _("Đang chờ ghi")
    COMMITTING = "committing", _("Đang ghi vào sổ")
    DONE = "done", _("Đã nhập")
    FAILED = "failed", _("Không ghi được")
    CANCELLED = "cancelled", _("Đã hủy")


RUNNING = {JobState.QUEUED, JobState.CHECKING, JobState.COMMIT_QUEUED, JobState.COMMITTING}
FINISHED = {JobState.REFUSED, JobState.DONE, JobState.FAILED, JobState.CANCELLED}


class ImportJob(models.Model):
    """The file itself lives here until the job finishes, so a worker on any process can read it."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # names its live progress
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị nhận"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(editable=False)
    state = models.CharField(_("trạng thái"), max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    default_day = models.DateField(_("ngày tiếp nhận mặc định"), null=True, blank=True)
    # Column index (as text: JSON keys) -> field name; empty means "as detected".
    columns = models.JSONField(default=dict, blank=True)
    # The user's other choices in the wizard: "sheet" (its name), "header_row" (as Excel numbers it).
    options = models.JSONField(default=dict, blank=True)
    force = models.BooleanField(default=False)
    skip_duplicates = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    batch = models.ForeignKey("ledger.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt nhập Excel")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def retryable(self) -> bool:
        """A failed job keeps its file (only done, cancelled and refused jobs drop it): it can run again."""
        return self.state == JobState.FAILED


class TypeAlias(models.Model):
    """A name a unit's files give an equipment type that the catalogue does not know, mapped once in
    the wizard (or by `materiel import --map`) and remembered for the unit's next imports."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    name = models.CharField(_("tên trong tệp"), max_length=200)
    key = models.CharField(max_length=200, editable=False)  # search_fold(name)
    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("chủng loại")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="type_alias_unique_per_unit")]
        verbose_name = _("tên chủng loại đã ghi nhớ")

    def __str__(self) -> str:
        return f"{self.name} → {self.equipment_type}"
