"""Technical staff (cán bộ, nhân viên kỹ thuật) and their training: the reference data (specialties,
skill levels, kinds of training and of certification, recognition levels), the people with their
unit and skill level over time, their certifications, the courses they attend, the skill-level
exams they sit, the contests they enter and the improvement initiatives they author.

A person's unit is effective-dated (`Membership`, like `units.UnitVersion`): people are scoped by
their unit on the day a page speaks of. `Person.unit` and `Person.skill_level` are the projections
of today, kept by `people.services` alone (moves and exams are never dated in the future).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.core.scoped import ScopedQuerySet
from materiel.ledger.records import EventLine


class Specialty(models.Model):
    """A technical specialty (chuyên ngành): ordnance, vehicles, communications… Reference data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("chuyên ngành"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("chuyên ngành")

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.Model):
    """A skill level (bậc thợ); `rank` orders them (an upgrade exam must aim higher). Reference data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("bậc thợ"), max_length=80, unique=True)
    rank = models.PositiveSmallIntegerField(_("thứ bậc"), unique=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("bậc thợ")

    def __str__(self) -> str:
        return self.name


class TrainingKind(models.Model):
    """A kind of training (đào tạo, tập huấn, bồi dưỡng). Reference data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("loại hình"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("loại hình huấn luyện")

    def __str__(self) -> str:
        return self.name


class CertificationKind(models.Model):
    """A kind of certification (chứng chỉ): of a specialty, or general when it names none.
    A valid one of the person's specialty is what "qualified" means (people.datasets). Reference data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("loại chứng chỉ"), max_length=160, unique=True)
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chuyên ngành")
    )
    valid_months = models.PositiveSmallIntegerField(_("thời hạn (tháng)"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("loại chứng chỉ")

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """The level at which a contest is held or an initiative recognised (cấp cơ sở … toàn quân). Reference data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("cấp"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("cấp công nhận")

    def __str__(self) -> str:
        return self.name


def _today() -> date:
    return timezone.localdate()


class PersonQuerySet(models.QuerySet["Person"]):
    def on(self, unit_path: str, day: date | None = None) -> "PersonQuerySet":
        """The people whose unit lies in the subtree of `unit_path` on the day (today by default)."""
        from materiel.units.models import PATH_END

        if day is None or day >= _today():
            return self.filter(unit__path__gte=unit_path, unit__path__lt=unit_path + PATH_END)
        members = Membership.objects.on(day).filter(unit__path__gte=unit_path, unit__path__lt=unit_path + PATH_END)
        return self.filter(pk__in=members.values("person"))

    def in_subtree(self, unit, day: date | None = None) -> "PersonQuerySet":
        return self.on(unit.path, day)

    def visible_to(self, user, day: date | None = None) -> "PersonQuerySet":
        """The scoping door for people: those whose unit on the day lies in the user's subtrees."""
        from materiel.accounts.scoping import restrict

        if day is None or day >= _today():
            return restrict(self, user, "unit__path")
        members = restrict(Membership.objects.on(day), user, "unit__path")
        return self.filter(pk__in=members.values("person"))


class Person(models.Model):
    """A member of the technical staff. Not necessarily a user; linked to one when they have an account."""

    full_name = models.CharField(_("họ và tên"), max_length=120)
    rank = models.CharField(_("cấp bậc"), max_length=40, blank=True)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("chuyên ngành"))
    education = models.CharField(_("trình độ"), max_length=120, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("tài khoản"),
    )
    # Today's unit and skill level: the open Membership's unit, the latest SkillStep's level.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    skill_level = models.ForeignKey(
        SkillLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bậc thợ")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("cán bộ, nhân viên kỹ thuật")
        indexes = [models.Index(fields=["unit", "full_name"])]

    def __str__(self) -> str:
        return f"{self.rank} {self.full_name}".strip()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def on(self, day: date) -> "MembershipQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


class Membership(models.Model):
    """A person's unit over [valid_from, valid_to): one person is in one unit on any day."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    document = models.CharField(_("quyết định"), max_length=80, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["person", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"]), models.Index(fields=["person", "valid_from"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="one_open_membership_per_person"
            )
        ]


class SkillStep(models.Model):
    """A person's skill level from a day on: the first one entered, then each passed upgrade exam."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="skill_steps")
    level = models.ForeignKey(SkillLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("bậc thợ"))
    valid_from = models.DateField(_("từ ngày"))
    exam = models.OneToOneField("SkillExam", on_delete=models.PROTECT, null=True, blank=True, related_name="step")

    class Meta:
        ordering = ["person", "valid_from", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "valid_from"], name="one_skill_step_per_day")]


class CertificationQuerySet(models.QuerySet["Certification"]):
    def visible_to(self, user) -> "CertificationQuerySet":
        return self.filter(person__in=Person.objects.visible_to(user))

    def valid_on(self, day: date) -> "CertificationQuerySet":
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day), issued_on__lte=day)


class Certification(models.Model):
    """A certification a person holds (chứng chỉ), valid from its issue to its expiry day included."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certifications")
    kind = models.ForeignKey(CertificationKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("loại"))
    number = models.CharField(_("số chứng chỉ"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày cấp"))
    expires_on = models.DateField(_("ngày hết hạn"), null=True, blank=True)
    issued_by = models.CharField(_("nơi cấp"), max_length=160, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["person", "kind", "-issued_on", "-id"]
        indexes = [models.Index(fields=["expires_on"]), models.Index(fields=["person", "kind", "issued_on"])]


class CourseQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Course(models.Model):
    """A course or a refresher training (khóa đào tạo, tập huấn, bồi dưỡng) organised by a unit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị tổ chức"))
    kind = models.ForeignKey(TrainingKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("loại hình"))
    title = models.CharField(_("tên khóa"), max_length=200)
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chuyên ngành")
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    place = models.CharField(_("địa điểm"), max_length=160, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["unit", "ends_on"])]

    def __str__(self) -> str:
        return self.title


class Result(models.TextChoices):
    PENDING = "pending", _("Chưa có kết quả")
    PASSED = "passed", _("Đạt")
    FAILED = "failed", _("Không đạt")


class Participant(models.Model):
    """A person on a course, and their result (đạt / không đạt, and a grade such as giỏi, khá)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    result = models.CharField(_("kết quả"), max_length=20, choices=Result.choices, default=Result.PENDING)
    grade = models.CharField(_("xếp loại"), max_length=40, blank=True)

    class Meta:
        ordering = ["course", "person__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="unique_course_participant")]


class SkillExamQuerySet(ScopedQuerySet):
    unit_field = "unit"


class SkillExam(models.Model):
    """A skill-level upgrade exam (thi nâng bậc) a person sat; a pass raises their level from its day."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exams")
    level_before = models.ForeignKey(SkillLevel, on_delete=models.PROTECT, null=True, related_name="+")
    level = models.ForeignKey(SkillLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("bậc thi"))
    held_on = models.DateField(_("ngày thi"))
    passed = models.BooleanField(_("đạt"))
    score = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2, null=True, blank=True)
    decision = models.CharField(_("quyết định"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SkillExamQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]


class ContestKind(models.TextChoices):
    CONTEST = "hoi-thi", _("Hội thi")
    GAMES = "hoi-thao", _("Hội thao")


class ContestQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Contest(models.Model):
    """A contest (hội thi) or games (hội thao) a unit organised or sent people to."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại"), max_length=20, choices=ContestKind.choices)
    title = models.CharField(_("tên"), max_length=200)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp"))
    held_on = models.DateField(_("ngày tổ chức"))
    place = models.CharField(_("địa điểm"), max_length=160, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    """A person's entry in a contest, its result, place and award."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="entries")
    event = models.CharField(_("nội dung thi"), max_length=160, blank=True)
    result = models.CharField(_("kết quả"), max_length=80, blank=True)
    placing = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    award = models.CharField(_("giải thưởng"), max_length=120, blank=True)

    class Meta:
        ordering = ["contest", "placing", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "person", "event"], name="unique_contest_entry")]


class InitiativeQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Initiative(models.Model):
    """An improvement initiative (sáng kiến cải tiến kỹ thuật): its authors, unit, the level that
    recognised it on its day, and what it saves (money in đồng, hours of work)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    title = models.CharField(_("tên sáng kiến"), max_length=200)
    summary = models.TextField(_("nội dung"), max_length=2000, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp công nhận"))
    recognised_on = models.DateField(_("ngày công nhận"))
    money_saved = models.DecimalField(_("làm lợi (đồng)"), max_digits=15, decimal_places=0, null=True, blank=True)
    hours_saved = models.DecimalField(_("tiết kiệm (giờ công)"), max_digits=9, decimal_places=1, null=True, blank=True)
    authors = models.ManyToManyField(Person, related_name="initiatives", verbose_name=_("tác giả"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["-recognised_on", "-id"]
        indexes = [models.Index(fields=["unit", "recognised_on"])]

    def __str__(self) -> str:
        return self.title


class GatePolicy(models.TextChoices):
    OFF = "off", _("Không kiểm tra")
    WARN = "warn", _("Cảnh báo (cấp được khi ghi lý do)")
    REFUSE = "refuse", _("Không cho cấp")


class QualificationRule(models.Model):
    """The qualification gate of an equipment category (set by the administrator): issuing one of
    its items to a person needs a valid certification of `specialty`; `policy` says what happens
    when there is none."""

    category = models.OneToOneField(
        "catalog.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("nhóm trang bị")
    )
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("chuyên ngành"))
    policy = models.CharField(_("khi chưa đủ điều kiện"), max_length=10, choices=GatePolicy.choices)

    class Meta:
        ordering = ["category__order", "category__name"]


class GateOutcome(models.TextChoices):
    NOT_CHECKED = "not_checked", _("Không kiểm tra")
    QUALIFIED = "qualified", _("Đủ điều kiện")
    OVERRIDDEN = "overridden", _("Cấp khi chưa đủ điều kiện")


class Issuance(models.Model):
    """An item issued to a person of the register (cấp phát cho cán bộ). The ledger's issue event
    carries the person's name as its holder text, as free-text holders always did; this record says
    which person it was and what the qualification gate answered (an override with its reason)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="issuances")
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("trang bị"))
    issued_on = models.DateField(_("ngày cấp phát"))
    gate = models.CharField(_("điều kiện"), max_length=20, choices=GateOutcome.choices)
    reason = models.CharField(_("lý do vẫn cấp"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]


class IssuanceLine(EventLine):
    """The issue event an issuance wrote."""

    record = models.ForeignKey(Issuance, on_delete=models.PROTECT, related_name="event_lines")
