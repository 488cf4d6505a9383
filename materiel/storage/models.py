"""Where equipment is kept: the kinds of storage place (reference data), the places of each unit
(kho, phòng vũ khí, tủ súng, nhà xe), and the place each item is in now (a projection of the ledger).

An item's place is a fact of its own, apart from its grade and status: it changes by the
`relocation` event (chuyển nơi cất giữ, `storage.kinds`) and is lost when the item leaves the unit
that owns the place. `ItemPlace` holds it for the items that have one; `materiel verify` replays it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
