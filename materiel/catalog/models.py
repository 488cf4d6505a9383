"""Reference data: categories, equipment types, grade meanings, authorised holdings, coefficient rules."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.core.text import fold


class Meter(models.TextChoices):
    KM = "km", _("Số km")
    ENGINE_HOURS = "engine_hours", _("Giờ máy")
    ROUNDS = "rounds", _("Số phát bắn")


class Category(models.Model):
    """An equipment category (nhóm trang bị): infantry weapons, vehicles, ammunition..."""

    code = models.SlugField(_("mã nhóm"), max_length=20, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=150)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("nhóm trang bị")
        verbose_name_plural = _("các nhóm trang bị")

    def __str__(self) -> str:
        return self.name


class EquipmentType(models.Model):
    """A model of equipment (chủng loại): how it is counted, how long it lasts, what meters it has."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="types", verbose_name=_("nhóm"))
    code = models.SlugField(_("mã chủng loại"), max_length=40, unique=True)
    name = models.CharField(_("tên trang bị"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=30)
    serialised = models.BooleanField(_("quản lý theo số hiệu"), default=True)
    service_life_years = models.PositiveSmallIntegerField(_("niên hạn sử dụng (năm)"), null=True, blank=True)
    origin = models.CharField(_("nước sản xuất"), max_length=80, blank=True)
    meters = models.JSONField(_("đồng hồ theo dõi"), default=list, blank=True)
    search_key = models.CharField(max_length=300, editable=False, db_index=True)

    class Meta:
        ordering = ["category__order", "name"]
        verbose_name = _("chủng loại trang bị")
        verbose_name_plural = _("các chủng loại trang bị")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)


class GradeDefinitionQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> "GradeDefinitionQuerySet":
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class GradeDefinition(models.Model):
    """What a quality grade (cấp chất lượng) means over a period; the wording is data, not code."""

    grade = models.PositiveSmallIntegerField(_("cấp"))
    name = models.CharField(_("tên cấp"), max_length=80)
    description = models.CharField(_("ý nghĩa"), max_length=300)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = GradeDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["grade", "-valid_from"]
        verbose_name = _("định nghĩa cấp chất lượng")
        verbose_name_plural = _("các định nghĩa cấp chất lượng")
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="grade_between_1_and_5"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} – {self.name}"


def grade_labels(day: date | None = None) -> dict[int, str]:
    """Grade number -> 'Cấp N – meaning' on `day`."""
    from .grades import grade_numbers

    day = day or date.today()
    labels = {g: gettext("Cấp %(grade)d") % {"grade": g} for g in grade_numbers()}
    for row in GradeDefinition.objects.valid_on(day).order_by("grade", "valid_from"):
        labels[row.grade] = f"{row.name} – {row.description}"
    return labels


def grade_names(day: date | None = None) -> dict[int, str]:
    """Grade number -> its name on `day` (today by default), falling back to 'Cấp N'."""
    from .grades import grade_numbers

    day = day or date.today()
    names = {g: gettext("Cấp %(grade)d") % {"grade": g} for g in grade_numbers()}
    for row in GradeDefinition.objects.valid_on(day).order_by("grade", "valid_from"):
        names[row.grade] = row.name
    return names


class CoefficientPolicyQuerySet(models.QuerySet):
    def in_force(self, day: date | None = None) -> "CoefficientPolicy":
        day = day or date.today()
        from .grades import grade_numbers

        policy = self.filter(valid_from__lte=day).order_by("-valid_from").first()
        # Without a policy: grades 1 and 2 are good, and the denominator counts every defined grade.
        return policy or CoefficientPolicy(serviceable_grades=[1, 2], counted_grades=list(grade_numbers()), decimals=1)


class CoefficientPolicy(models.Model):
    """How the technical coefficient is computed from a given date (no official formula is public)."""

    valid_from = models.DateField(_("áp dụng từ"), unique=True)
    serviceable_grades = models.JSONField(_("các cấp tính là tốt (tử số)"), default=list)
    counted_grades = models.JSONField(_("các cấp được tính (mẫu số)"), default=list)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=1)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    objects = CoefficientPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("cách tính hệ số kỹ thuật")
        verbose_name_plural = _("các cách tính hệ số kỹ thuật")


class AuthorizedHoldingQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> "AuthorizedHoldingQuerySet":
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def visible_to(self, user) -> "AuthorizedHoldingQuerySet":
        from materiel.accounts.scoping import restrict

        return restrict(self, user, "unit__path")


class AuthorizedHolding(models.Model):
    """Authorised holdings (biên chế): how many of a type a unit should hold, over a period."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="authorized_holdings", verbose_name=_("đơn vị")
    )
    equipment_type = models.ForeignKey(
        EquipmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủng loại")
    )
    quantity = models.PositiveIntegerField(_("số lượng biên chế"))
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = AuthorizedHoldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("biên chế trang bị")
        verbose_name_plural = _("biên chế trang bị")
        indexes = [models.Index(fields=["unit", "equipment_type"])]


class KitPart(models.TextChoices):
    """What a line of a standard kit is (the parts of đồng bộ)."""

    COMPONENT = "component", _("Bộ phận")
    ACCESSORY = "accessory", _("Phụ kiện")
    TOOL = "tool", _("Dụng cụ")
    SPARES = "spares", _("Bộ phụ tùng")
    DOCUMENT = "document", _("Tài liệu")


class KitLine(models.Model):
    """One line of an equipment type's standard kit (bộ đồng bộ tiêu chuẩn): a component, an
    accessory, a tool, a spare-part set or a document, and how many of it the kit has. An item is
    complete (đồng bộ) when nothing of its kit is missing or damaged (docs/glossary.md)."""

    equipment_type = models.ForeignKey(
        EquipmentType, on_delete=models.PROTECT, related_name="kit_lines", verbose_name=_("chủng loại")
    )
    part = models.CharField(_("loại"), max_length=20, choices=KitPart.choices, default=KitPart.COMPONENT)
    name = models.CharField(_("tên"), max_length=150)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["equipment_type", "position", "id"]
        verbose_name = _("dòng đồng bộ tiêu chuẩn")
        verbose_name_plural = _("bộ đồng bộ tiêu chuẩn")
        constraints = [
            models.UniqueConstraint(fields=["equipment_type", "name"], name="unique_kit_line_name"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kit_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class CompletenessPolicyQuerySet(models.QuerySet):
    def in_force(self, day: date | None = None) -> "CompletenessPolicy":
        day = day or date.today()
        policy = self.filter(valid_from__lte=day).order_by("-valid_from").first()
        # Without a policy: an item with anything missing or damaged is not complete.
        return policy or CompletenessPolicy(damaged_counts=True, decimals=1)


class CompletenessPolicy(models.Model):
    """How the đồng bộ coefficient is computed from a given date (no official formula is public):
    complete items ÷ items held, where "complete" leaves out either only the items missing part of
    their kit, or also those with a part damaged."""

    valid_from = models.DateField(_("áp dụng từ"), unique=True)
    damaged_counts = models.BooleanField(
        _("hỏng cũng tính là thiếu đồng bộ"),
        default=True,
        help_text=_("Bỏ chọn: chỉ trang bị thiếu bộ phận mới bị tính là không đồng bộ."),
    )
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=1)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    objects = CompletenessPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("cách tính hệ số đồng bộ")
        verbose_name_plural = _("các cách tính hệ số đồng bộ")
