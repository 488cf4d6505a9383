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


class Family(models.TextChoices):
    """The two header families of Vietnamese official documents (docs/documents.md)."""

    STATE = "state", _("Văn bản hành chính nhà nước")
    PARTY = "party", _("Văn bản của Đảng")


class LayoutProfileQuerySet(models.QuerySet):
    def in_force(self, family: str, day) -> "LayoutProfile | None":
        """The profile of `family` in force on `day`: the latest started on or before it, not ended."""
        return (
            self.filter(family=family, valid_from__lte=day)
            .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day))
            .order_by("-valid_from", "-id")
            .first()
        )


def _mm(label):
    return models.DecimalField(label, max_digits=5, decimal_places=1)


def _pt(label):
    return models.DecimalField(label, max_digits=4, decimal_places=1)


class LayoutProfile(models.Model):
    """The layout of a family of documents under one regulation, from one day: page, margins, type
    sizes and styles, spacing, header texts. Reference data, editable (`catalog.manage`): a new
    regulation is a new profile with its own dates, no code. `unconfirmed` names the fields whose
    figure no official source confirmed (domain research, docs/documents.md)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    family = models.CharField(_("loại văn bản"), max_length=10, choices=Family.choices)
    source = models.CharField(_("căn cứ"), max_length=300)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("hết áp dụng từ"), null=True, blank=True)
    page_size = models.CharField(_("khổ giấy"), max_length=10, default="A4")
    margin_top = _mm(_("lề trên (mm)"))
    margin_bottom = _mm(_("lề dưới (mm)"))
    margin_left = _mm(_("lề trái (mm)"))
    margin_right = _mm(_("lề phải (mm)"))
    font_family = models.CharField(_("phông chữ"), max_length=80, default="Times New Roman")
    body_size = _pt(_("cỡ chữ nội dung"))
    line_spacing = models.DecimalField(_("giãn dòng (lần)"), max_digits=3, decimal_places=2, default=1)
    paragraph_spacing = _pt(_("cách đoạn (pt)"))
    first_line_indent = _mm(_("thụt đầu dòng (mm)"))
    # The header: the state's national motto, or the Party's title line.
    title_text = models.CharField(_("dòng tiêu đề"), max_length=120)
    title_size = _pt(_("cỡ chữ tiêu đề"))
    motto_text = models.CharField(_("tiêu ngữ"), max_length=120, blank=True)
    motto_size = _pt(_("cỡ chữ tiêu ngữ"))
    superior_size = _pt(_("cỡ chữ cơ quan cấp trên"))
    issuer_size = _pt(_("cỡ chữ cơ quan ban hành"))
    issuer_mark = models.CharField(_("dấu dưới tên cơ quan"), max_length=10, blank=True)
    # "Số: {number}/{kind}-{body}" (state) or "Số {number}-{kind}/{body}" (Party).
    number_format = models.CharField(_("mẫu số, ký hiệu"), max_length=60)
    number_size = _pt(_("cỡ chữ số, ký hiệu"))
    place_date_size = _pt(_("cỡ chữ địa danh, ngày tháng"))
    kind_size = _pt(_("cỡ chữ tên loại văn bản"))
    subject_size = _pt(_("cỡ chữ trích yếu"))
    signer_size = _pt(_("cỡ chữ chức vụ, họ tên người ký"))
    recipients_label_size = _pt(_("cỡ chữ “Nơi nhận”"))
    recipients_size = _pt(_("cỡ chữ danh sách nơi nhận"))
    page_number_size = _pt(_("cỡ chữ số trang"))
    page_numbers_from = models.PositiveSmallIntegerField(_("đánh số trang từ trang"), default=2)
    unconfirmed = models.JSONField(_("số liệu chưa xác nhận"), default=list, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    objects = LayoutProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("mẫu trình bày văn bản")
        verbose_name_plural = _("mẫu trình bày văn bản")
        ordering = ["family", "-valid_from"]

    def __str__(self) -> str:
        return self.name

    def number_text(self, number: str, kind: str, body: str) -> str:
        return self.number_format.format(number=number, kind=kind, body=body)


class IssuingBodyQuerySet(models.QuerySet):
    def of(self, unit, family: str, day) -> "IssuingBody | None":
        return (
            self.filter(unit=unit, family=family, valid_from__lte=day)
            .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day))
            .order_by("-valid_from")
            .first()
        )


class IssuingBody(models.Model):
    """The names a unit issues documents under, for a time: its state organ (Ban Chỉ huy quân sự
    huyện …) or its Party committee (Đảng ủy Quân sự …), the superior body printed above, the body's
    abbreviation in document numbers, and whether a signer's military rank is printed before the name
    (the head of the agency decides: Nghị định 30/2020, Phụ lục I). Dated, so names follow
    reorganisations; a unit without one prints its own name under its parent's."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    family = models.CharField(_("loại văn bản"), max_length=10, choices=Family.choices)
    name = models.CharField(_("tên cơ quan ban hành"), max_length=200)
    superior = models.CharField(_("tên cơ quan cấp trên"), max_length=200, blank=True)
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=30)
    print_rank = models.BooleanField(_("in cấp bậc trước họ tên người ký"), default=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("hết áp dụng từ"), null=True, blank=True)

    objects = IssuingBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan ban hành")
        verbose_name_plural = _("cơ quan ban hành")
        ordering = ["unit", "family", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "family", "valid_from"], name="unique_issuing_body_start")
        ]

    def __str__(self) -> str:
        return self.name
