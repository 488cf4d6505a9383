"""The unit tree: echelons as data, a materialised path for subtrees, dated versions for the past."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.text import fold

# Path segments are fixed-width base-36 encodings of the unit's id, so "this unit and everything under
# it" is one indexed range: path >= P AND path < P + "~" ("~" sorts after every segment character).
if TYPE_CHECKING:
    from materiel.accounts.scoping import Reader

SEGMENT_WIDTH = 6
PATH_END = "~"


class UnitKind(models.Model):
    """An echelon or kind of unit (military region, provincial command, border post, depot...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("tên loại đơn vị"), max_length=120)
    echelon = models.PositiveSmallIntegerField(_("cấp"), help_text=_("1 là cấp cao nhất"))
    is_depot = models.BooleanField(_("là kho"), default=False)

    class Meta:
        ordering = ["echelon", "name"]
        verbose_name = _("loại đơn vị")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(path__gte=unit.path, path__lt=unit.path + PATH_END)

    def active_on(self, day: date) -> "UnitQuerySet":
        return self.filter(founded_on__lte=day).exclude(dissolved_on__lte=day)

    def visible_to(self, user: "Reader") -> "UnitQuerySet":
        """The scoping door for units: the user's unit and everything under it."""
        from materiel.accounts.scoping import restrict

        return restrict(self, user, "path")


class Unit(models.Model):
    """A unit (đơn vị) as it is now; its past names and parents are in UnitVersion."""

    code = models.SlugField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, verbose_name=_("loại đơn vị"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    # Written only by units.tree (create and move); see SEGMENT_WIDTH.
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("ngày thành lập"))
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    search_key = models.CharField(max_length=300, editable=False, db_index=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = fold(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every ancestor, root first."""
        return [self.path[: i + SEGMENT_WIDTH] for i in range(0, len(self.path), SEGMENT_WIDTH)]

    def ancestors(self, include_self: bool = True) -> list["Unit"]:
        paths = self.ancestor_paths()
        if not include_self:
            paths = paths[:-1]
        return list(Unit.objects.filter(path__in=paths).order_by("path"))

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class UnitVersion(models.Model):
    """Name and parent of a unit over a date range [valid_from, valid_to): the tree of any past day."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit", "valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]


class UnitChangeKind(models.TextChoices):
    CREATE = "create", _("Thành lập")
    RENAME = "rename", _("Đổi tên")
    MOVE = "move", _("Chuyển trực thuộc")
    DISSOLVE = "dissolve", _("Giải thể")
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")


class UnitChange(AppendOnlyModel):
    """An append-only record of a reorganisation step, with its date and document."""

    append_only_message = "UnitChange rows are append-only"

    kind = models.CharField(max_length=20, choices=UnitChangeKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="changes")
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    document = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "id"]


class HandoverRoute(models.Model):
    """A handover that the tree alone does not allow, named by policy: `from_unit` and the units
    under it may hand equipment over to `to_unit` (a depot of another branch, a factory's repair
    line). Read by units.handover; set with `materiel handover-routes`."""

    from_unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="handover_routes")
    to_unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("căn cứ, ghi chú"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_unit", "to_unit"], name="handover_route_once")]
