"""Inspections (kiểm tra kỹ thuật): checklist templates (versioned), the inspection-duty matrix,
readiness reasons (reference data), and the runs with the steps they copied, their results,
findings and corrective actions (docs/inspections.md).

A run copies its template's steps into `RunStep` when it is opened, so a later edit of the template
(which makes a new version) never changes a past run. A finished run is never edited again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.scoped import ScopedQuerySet
from materiel.ledger.records import EventLine


class Severity(models.TextChoices):
    MINOR = "minor", _("Nhẹ")
    MAJOR = "major", _("Nặng")
    CRITICAL = "critical", _("Nghiêm trọng")


class Effect(models.TextChoices):
    NOTE = "note", _("Chỉ ghi nhận")
    WORK_ORDER = "work_order", _("Mở phiếu công việc")
    NOT_SERVICEABLE = "not_serviceable", _("Không dùng được, ghi lý do chưa sẵn sàng")


class Check(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Đạt/không đạt")
    MEASURE = "measure", _("Đo giá trị")


class InspectionKind(models.TextChoices):
    REGULAR = "regular", _("Thường xuyên")
    PERIODIC = "periodic", _("Định kỳ")
    UNANNOUNCED = "unannounced", _("Đột xuất")
    BEFORE_USE = "before_use", _("Trước khi dùng")
    AFTER_USE = "after_use", _("Sau khi dùng")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Hằng ngày")
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")
    USE = "use", _("Trước, trong và sau khi dùng")


class ReadinessReason(models.Model):
    """Why an item is not serviceable (reference data; the shipped rows are examples)."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("lý do"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lý do chưa sẵn sàng")

    def __str__(self) -> str:
        return self.name


class ChecklistTemplate(models.Model):
    """One version of a checklist (mẫu phiếu kiểm tra): its rows keep the same `code`, a higher
    `version` for each edit; older versions stay for the runs that copied them."""

    code = models.SlugField(_("mã mẫu"), max_length=40)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên mẫu"), max_length=150)
    kind = models.CharField(_("hình thức kiểm tra"), max_length=20, choices=InspectionKind.choices)
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nhóm")
    )
    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("chủng loại")
    )
    is_current = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("mẫu phiếu kiểm tra")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_template_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class StepFields(models.Model):
    """What a step says: shared by a template's steps and the copies a run keeps."""

    position = models.PositiveIntegerField(_("thứ tự"))
    text = models.CharField(_("nội dung kiểm tra"), max_length=200)
    method = models.CharField(_("cách kiểm tra"), max_length=20, choices=Check.choices, default=Check.PASS_FAIL)
    measure_unit = models.CharField(_("đơn vị đo"), max_length=20, blank=True)
    lower = models.DecimalField(_("giới hạn dưới"), max_digits=12, decimal_places=3, null=True, blank=True)
    upper = models.DecimalField(_("giới hạn trên"), max_digits=12, decimal_places=3, null=True, blank=True)
    severity = models.CharField(_("mức độ nếu không đạt"), max_length=10, choices=Severity.choices)
    effect = models.CharField(_("hệ quả nếu không đạt"), max_length=20, choices=Effect.choices, default=Effect.NOTE)
    reason = models.ForeignKey(
        ReadinessReason, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lý do chưa sẵn sàng")
    )

    COPIED = ("position", "text", "method", "measure_unit", "lower", "upper", "severity", "effect", "reason_id")

    class Meta:
        abstract = True
        ordering = ["position"]


class TemplateStep(StepFields):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepFields.Meta):
        verbose_name = _("bước kiểm tra")


class DutyRow(models.Model):
    """A row of the inspection-duty matrix (ma trận trách nhiệm kiểm tra): who inspects what, how
    often, with which template (by code: the current version is used)."""

    inspector = models.CharField(_("người/cơ quan kiểm tra"), max_length=120)
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nhóm")
    )
    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("chủng loại")
    )
    unit_kind = models.ForeignKey(
        "units.UnitKind", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại đơn vị")
    )
    place_kind = models.ForeignKey(
        "storage.PlaceKind", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại nơi cất giữ")
    )
    frequency = models.CharField(_("tần suất"), max_length=20, choices=Frequency.choices)
    template_code = models.SlugField(_("mã mẫu phiếu"), max_length=40)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("dòng ma trận kiểm tra")

    def __str__(self) -> str:
        return f"{self.inspector} – {self.get_frequency_display()}"


class RunState(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    FINISHED = "finished", _("Đã kết thúc")


class Run(models.Model):
    """An inspection run (lần kiểm tra) of one unit's items: one, several, or a place's."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, verbose_name=_("mẫu phiếu"))
    place = models.ForeignKey(
        "storage.StoragePlace", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nơi cất giữ")
    )
    kind = models.CharField(_("hình thức kiểm tra"), max_length=20, choices=InspectionKind.choices)
    # The matrix row this run answers (compliance counts a run against its row, not against every
    # row that happens to use the same template: a company commander's weekly check is not a squad
    # leader's daily one).
    duty = models.ForeignKey(
        DutyRow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("theo dòng ma trận"),
    )
    inspector = models.CharField(_("người kiểm tra"), max_length=150)
    inspected_on = models.DateField(_("ngày kiểm tra"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("lần kiểm tra")
        indexes = [models.Index(fields=["duty", "inspected_on"], name="run_duty_day")]

    def __str__(self) -> str:
        return f"KT-{self.pk} {self.inspected_on}"

    @property
    def is_finished(self) -> bool:
        return self.state == RunState.FINISHED


class RunStep(StepFields):
    """A step as the run copied it from its template version."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepFields.Meta):
        verbose_name = _("bước kiểm tra của lần kiểm tra")


class RunItem(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("thứ tự"))
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, related_name="+")
    grade_before = models.PositiveSmallIntegerField(_("cấp trước"))
    grade_proposed = models.PositiveSmallIntegerField(_("cấp đề nghị"), null=True, blank=True)
    # The kit as found (đồng bộ): every line short, [{"line", "missing", "damaged"}], None when the
    # run did not look at it. Finishing the run records it (a `kit` event) where it changed.
    kit = models.JSONField(_("đồng bộ khi kiểm tra"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="unique_item_per_run")]


class Result(models.Model):
    """An exception in the grid: a failed check or a measured value (a step without a result
    passed: the grid's "all pass" default)."""

    run_item = models.ForeignKey(RunItem, on_delete=models.CASCADE, related_name="results")
    step = models.ForeignKey(RunStep, on_delete=models.CASCADE, related_name="+")
    passed = models.BooleanField(_("đạt"))
    value = models.DecimalField(_("giá trị đo"), max_digits=12, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run_item", "step"], name="unique_result_per_cell")]


class CorrectiveActionQuerySet(ScopedQuerySet):
    unit_field = "run__unit"


class CorrectiveAction(models.Model):
    """A corrective action (biện pháp khắc phục) of a run: who, by when; closed with what was done."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="actions")
    result = models.ForeignKey(Result, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.CharField(_("biện pháp khắc phục"), max_length=300)
    responsible = models.CharField(_("người chịu trách nhiệm"), max_length=150)
    deadline = models.DateField(_("thời hạn"))
    done = models.CharField(_("kết quả thực hiện"), max_length=300, blank=True)
    closed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("biện pháp khắc phục")

    def overdue(self, today) -> bool:
        return self.closed_on is None and self.deadline < today


class InspectionLine(EventLine):
    """An event a finished run wrote: its grade changes and readiness events."""

    record = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="event_lines")


class ItemReadinessQuerySet(ScopedQuerySet):
    unit_field = "item__unit"


class ItemReadiness(models.Model):
    """The readiness reason an item carries now (a projection of `readiness` events)."""

    item = models.OneToOneField("equipment.Item", on_delete=models.CASCADE, related_name="readiness_row")
    reason = models.ForeignKey(ReadinessReason, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()

    objects = ItemReadinessQuerySet.as_manager()

    class Meta:
        verbose_name = _("lý do chưa sẵn sàng của trang bị")
