"""Resolutions, directives and programmes (nghị quyết, chỉ thị, chương trình hành động, kế hoạch,
chỉ lệnh), the targets (chỉ tiêu) each sets — measured by an indicator of the catalogue
(`indicators`) or reported by hand with evidence — and the tasks (nhiệm vụ, giải pháp) it gives
units, with their progress notes (docs/reviews.md).

A document issued above the tree (the Central Military Commission's Resolution 382) belongs to no
unit and every user reads it; one issued by a unit of the tree (a military region's resolution, a
province's programme) is read in that unit's subtree and by its ancestors' users.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet


class Kind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị")
    CONCLUSION = "conclusion", _("Kết luận")
    PROGRAMME = "programme", _("Chương trình hành động")
    PLAN = "plan", _("Kế hoạch")
    ORDER = "order", _("Chỉ lệnh")


class ResolutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ResolutionQuerySet":
        """Issued above the tree, by a unit of the user's subtrees, or by an ancestor of their own unit
        (what their unit implements; a read grant on another subtree does not open its ancestors')."""
        from materiel.accounts.scoping import restrict, scope_root

        if user is None or not user.is_authenticated:
            return self.none()
        own = restrict(self, user, "unit__path")
        root = scope_root(user)
        above = set(root.ancestor_paths()) if root is not None else set()
        return own | self.filter(Q(unit__isnull=True) | Q(unit__path__in=above))


class Resolution(models.Model):
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    title = models.CharField(_("trích yếu"), max_length=400)
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices, default=Kind.RESOLUTION)
    # The unit of the tree that issued it, or none (issued above the tree: every user reads it).
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị ban hành"),
    )
    implements = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="implemented_by",
        verbose_name=_("thực hiện văn bản"),
    )  # fmt: skip
    starts_on = models.DateField(_("hiệu lực từ"))
    ends_on = models.DateField(_("đến"), null=True, blank=True)  # None: until replaced
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["issued_on", "number"]
        verbose_name = _("nghị quyết, chỉ thị")
        constraints = [models.UniqueConstraint(fields=["number", "issued_on"], name="unique_resolution_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "≥"
    AT_MOST = "lte", "≤"


class Target(models.Model):
    """A target (chỉ tiêu): measured each year by an indicator of the catalogue with its parameters,
    or, without one, reported by hand by each unit with its evidence."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.CharField(_("chỉ tiêu"), max_length=300)
    indicator = models.CharField(_("chỉ số đo"), max_length=40, blank=True)  # indicators.CATALOGUE; "" by hand
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    comparison = models.CharField(_("so sánh"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    goal = models.DecimalField(_("mục tiêu"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["resolution", "position", "id"]
        verbose_name = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.text

    def met_by(self, value) -> bool | None:
        if value is None:
            return None
        return value >= self.goal if self.comparison == Comparison.AT_LEAST else value <= self.goal


class ReportedQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Reported(models.Model):
    """A target's value reported by hand by a unit for a year, with its evidence."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reported")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    evidence = models.CharField(_("căn cứ, minh chứng"), max_length=400)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    objects = ReportedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "unit", "year"], name="unique_reported_value")]


class TaskState(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Không thực hiện")


class TaskQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Task(models.Model):
    """A task (nhiệm vụ, giải pháp) the document gives a unit, with the organ responsible and a deadline."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị thực hiện")
    )
    text = models.CharField(_("nhiệm vụ, giải pháp"), max_length=400)
    responsible = models.CharField(_("cơ quan chủ trì"), max_length=200)
    deadline = models.DateField(_("thời hạn"))
    state = models.CharField(_("tình trạng"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("nhiệm vụ")

    def __str__(self) -> str:
        return self.text

    def late_on(self, day) -> bool:
        """Past its deadline on `day` and not done by then."""
        done = self.state == TaskState.DONE and self.done_on is not None and self.done_on <= day
        return not done and self.state != TaskState.CANCELLED and self.deadline < day


class NoteQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    unit_field = "task__unit"


class TaskNote(AppendOnlyModel):
    """A progress note on a task (tiến độ): append-only, who wrote it and when."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notes")
    written_on = models.DateField(_("ngày"))
    text = models.CharField(_("tiến độ"), max_length=600)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["written_on", "id"]
