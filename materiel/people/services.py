"""People verbs: a person recorded, edited, moved to another unit (or a past period of their history
entered), certified, put on a course and given a result, examined for a higher skill level, entered
in a contest, credited with an initiative.

Every verb is keyword-only, needs `people.manage` on the unit it touches (`accounts.scoping.require`),
runs in one transaction and refuses bad input with a Vietnamese `DomainError` naming the field. No
verb dates anything in the future, so `Person.unit` and `Person.skill_level` (today's projections)
follow from the history at the time of each write.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import require
from materiel.core import bounds
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.units.models import Unit

from .models import (
    Certification,
    CertificationKind,
    Contest,
    ContestKind,
    Course,
    Entry,
    Initiative,
    Level,
    Membership,
    Participant,
    Person,
    Result,
    SkillExam,
    SkillLevel,
    SkillStep,
    Specialty,
    TrainingKind,
)

ACTION = "people.manage"
MAX_PARTICIPANTS = 500
MAX_MONEY = Decimal(10) ** 14  # đồng saved by one initiative (Initiative.money_saved holds 15 digits)
MAX_HOURS = Decimal(10) ** 7


def _text(value: str | None, limit: int) -> str:
    return nfc(value or "").strip()[:limit]


def _required(value: str | None, limit: int, field: str, message: str) -> str:
    text = _text(value, limit)
    if not text:
        raise DomainError(message, field=field)
    return text


def _past(day: date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise DomainError(_("%(label)s ở tương lai.") % {"label": label}, field=field)
    if day < bounds.MIN_DAY:
        raise DomainError(_("%(label)s quá xa trong quá khứ.") % {"label": label}, field=field)


def _open_unit(unit: Unit, field: str = "unit") -> None:
    if unit.dissolved_on is not None:
        raise DomainError(_("Đơn vị %(unit)s đã giải thể.") % {"unit": unit.name}, field=field)


def _locked(person: Person, version: int | None = None) -> Person:
    locked = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("Hồ sơ vừa được người khác cập nhật: hãy tải lại trang."))
    return locked


def _linkable_user(user: User | None, person: Person | None, actor: User) -> User | None:
    if user is None:
        return None
    if user.unit is not None:
        require(actor, ACTION, unit=user.unit)
    elif not actor.is_superuser:
        raise DomainError(_("Tài khoản %(user)s nằm ngoài phạm vi quản lý của bạn.") % {"user": user}, field="user")
    others = Person.objects.filter(user=user)
    linked = (others.exclude(pk=person.pk) if person is not None else others).first()
    if linked is not None:
        raise DomainError(
            _("Tài khoản %(user)s đã gắn với %(person)s.") % {"user": user.username, "person": linked.full_name},
            field="user",
        )
    return user


@transaction.atomic
def create_person(
    *,
    actor: User,
    unit: Unit,
    full_name: str,
    specialty: Specialty,
    joined_on: date,
    rank: str = "",
    position: str = "",
    education: str = "",
    skill_level: SkillLevel | None = None,
    user: User | None = None,
    document: str = "",
) -> Person:
    """A person joining `unit` on `joined_on` (their first membership), at a skill level from that day."""
    require(actor, ACTION, unit=unit)
    _open_unit(unit)
    name = _required(full_name, 120, "full_name", _("Chưa nhập họ và tên."))
    _past(joined_on, "joined_on", _("Ngày vào đơn vị"))
    person = Person.objects.create(
        full_name=name,
        rank=_text(rank, 40),
        position=_text(position, 120),
        education=_text(education, 120),
        specialty=specialty,
        unit=unit,
        skill_level=skill_level,
        user=_linkable_user(user, None, actor),
    )
    Membership.objects.create(person=person, unit=unit, valid_from=joined_on, document=_text(document, 80))
    if skill_level is not None:
        SkillStep.objects.create(person=person, level=skill_level, valid_from=joined_on)
    return person


@transaction.atomic
def update_person(
    person: Person,
    *,
    actor: User,
    full_name: str,
    specialty: Specialty,
    rank: str = "",
    position: str = "",
    education: str = "",
    user: User | None = None,
    version: int | None = None,
) -> Person:
    """Name, rank, position, specialty, education and account; the unit and skill level have their own verbs."""
    person = _locked(person, version)
    require(actor, ACTION, unit=person.unit)
    person.full_name = _required(full_name, 120, "full_name", _("Chưa nhập họ và tên."))
    person.rank, person.position, person.education = _text(rank, 40), _text(position, 120), _text(education, 120)
    person.specialty = specialty
    person.user = _linkable_user(user, person, actor)
    person.version += 1
    person.save()
    return person


def _unit_on(person: Person, day: date) -> Unit | None:
    member = Membership.objects.on(day).filter(person=person).select_related("unit").first()
    return member.unit if member else None


@transaction.atomic
def move_person(
    person: Person, *, actor: User, to_unit: Unit, moved_on: date, document: str = "", version: int | None = None
) -> Membership:
    """The person leaves their unit and joins `to_unit` on `moved_on` (both units in the actor's scope)."""
    person = _locked(person, version)
    require(actor, ACTION, unit=person.unit)
    require(actor, ACTION, unit=to_unit)
    _open_unit(to_unit, "to_unit")
    _past(moved_on, "moved_on", _("Ngày chuyển"))
    current = Membership.objects.select_for_update().get(person=person, valid_to__isnull=True)
    if current.unit_id == to_unit.pk:
        raise DomainError(
            _("%(person)s đã thuộc %(unit)s.") % {"person": person.full_name, "unit": to_unit.name}, field="to_unit"
        )
    if moved_on <= current.valid_from:
        raise DomainError(
            _("Ngày chuyển phải sau ngày %(person)s vào %(unit)s (%(day)s).")
            % {"person": person.full_name, "unit": current.unit.name, "day": current.valid_from.strftime("%d/%m/%Y")},
            field="moved_on",
        )
    current.valid_to = moved_on
    current.save(update_fields=["valid_to"])
    joined = Membership.objects.create(person=person, unit=to_unit, valid_from=moved_on, document=_text(document, 80))
    person.unit = to_unit
    person.version += 1
    person.save(update_fields=["unit", "version"])
    return joined


@transaction.atomic
def add_past_membership(
    person: Person, *, actor: User, unit: Unit, valid_from: date, valid_to: date, document: str = ""
) -> Membership:
    """A closed period of the person's history before the register knew them (or between two moves):
    refused when it overlaps another, since one person is in one unit on any day."""
    person = _locked(person)
    require(actor, ACTION, unit=person.unit)
    require(actor, ACTION, unit=unit)
    _past(valid_from, "valid_from", _("Ngày bắt đầu"))
    if valid_to <= valid_from:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), field="valid_to")
    if valid_to > timezone.localdate():
        raise DomainError(_("Ngày kết thúc ở tương lai."), field="valid_to")
    clash = (
        Membership.objects.filter(person=person, valid_from__lt=valid_to)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from))
        .select_related("unit")
        .first()
    )
    if clash is not None:
        day = max(valid_from, clash.valid_from)
        raise DomainError(
            _("Ngày %(day)s %(person)s đã thuộc %(unit)s: một người không thể thuộc hai đơn vị trong cùng một ngày.")
            % {"day": day.strftime("%d/%m/%Y"), "person": person.full_name, "unit": clash.unit.name},
            field="valid_from",
        )
    return Membership.objects.create(
        person=person, unit=unit, valid_from=valid_from, valid_to=valid_to, document=_text(document, 80)
    )


@transaction.atomic
def certify(
    person: Person,
    *,
    actor: User,
    kind: CertificationKind,
    issued_on: date,
    expires_on: date | None,
    number: str = "",
    issued_by: str = "",
) -> Certification:
    """A certification the person holds; one that expires on or before its issue day is refused."""
    person = _locked(person)
    require(actor, ACTION, unit=person.unit)
    _past(issued_on, "issued_on", _("Ngày cấp"))
    if expires_on is not None:
        if expires_on <= issued_on:
            raise DomainError(
                _("Ngày hết hạn (%(end)s) phải sau ngày cấp (%(start)s).")
                % {"end": expires_on.strftime("%d/%m/%Y"), "start": issued_on.strftime("%d/%m/%Y")},
                field="expires_on",
            )
        if expires_on > bounds.MAX_DAY:
            raise DomainError(_("Ngày hết hạn quá xa."), field="expires_on")
    return Certification.objects.create(
        person=person,
        kind=kind,
        number=_text(number, 60),
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=_text(issued_by, 160),
        created_by=actor,
    )


@transaction.atomic
def create_course(
    *,
    actor: User,
    unit: Unit,
    kind: TrainingKind,
    title: str,
    starts_on: date,
    ends_on: date,
    specialty: Specialty | None = None,
    place: str = "",
) -> Course:
    require(actor, ACTION, unit=unit)
    name = _required(title, 200, "title", _("Chưa nhập tên khóa học."))
    _past(starts_on, "starts_on", _("Ngày bắt đầu"))
    if ends_on < starts_on:
        raise DomainError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."), field="ends_on")
    if ends_on > bounds.MAX_DAY:
        raise DomainError(_("Ngày kết thúc quá xa."), field="ends_on")
    return Course.objects.create(
        unit=unit,
        kind=kind,
        title=name,
        specialty=specialty,
        starts_on=starts_on,
        ends_on=ends_on,
        place=_text(place, 160),
        created_by=actor,
    )


def _locked_course(course: Course, version: int | None) -> Course:
    locked = Course.objects.select_for_update().select_related("unit").get(pk=course.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("Khóa học vừa được người khác cập nhật: hãy tải lại trang."))
    return locked


@transaction.atomic
def add_participants(
    course: Course, *, actor: User, people: Sequence[Person], version: int | None = None
) -> list[Participant]:
    """People join the course: all of them or, at the first one already on it (named), none."""
    course = _locked_course(course, version)
    require(actor, ACTION, unit=course.unit)
    if not people:
        raise DomainError(_("Chưa chọn người học nào."), field="people")
    if course.participants.count() + len(people) > MAX_PARTICIPANTS:
        raise DomainError(_("Một khóa học có nhiều nhất %(n)s người.") % {"n": MAX_PARTICIPANTS}, field="people")
    taken = set(course.participants.values_list("person_id", flat=True))
    for person in people:
        if person.pk in taken:
            raise DomainError(_("%(person)s đã có trong khóa học.") % {"person": person.full_name}, field="people")
        taken.add(person.pk)
    course.version += 1
    course.save(update_fields=["version"])
    return Participant.objects.bulk_create(Participant(course=course, person=p) for p in people)


@transaction.atomic
def set_result(
    course: Course, *, actor: User, participant: int, result: str, grade: str = "", version: int | None = None
) -> Participant:
    course = _locked_course(course, version)
    require(actor, ACTION, unit=course.unit)
    row = course.participants.select_related("person").filter(pk=participant).first()
    if row is None:
        raise DomainError(_("Người học không có trong khóa học."), field="participant")
    if result not in Result.values:
        raise DomainError(_("Kết quả không hợp lệ."), field="result")
    if result != Result.PENDING and course.ends_on > timezone.localdate():
        raise DomainError(_("Khóa học chưa kết thúc: chưa ghi được kết quả."), field="result")
    row.result, row.grade = result, _text(grade, 40)
    row.save(update_fields=["result", "grade"])
    course.version += 1
    course.save(update_fields=["version"])
    return row


def level_on(person: Person, day: date) -> SkillLevel | None:
    step = SkillStep.objects.filter(person=person, valid_from__lte=day).select_related("level").last()
    return step.level if step else None


def _project_skill(person: Person) -> None:
    latest = SkillStep.objects.filter(person=person).select_related("level").last()
    person.skill_level = latest.level if latest else None
    person.version += 1
    person.save(update_fields=["skill_level", "version"])


@transaction.atomic
def record_exam(
    person: Person,
    *,
    actor: User,
    level: SkillLevel,
    held_on: date,
    passed: bool,
    score: Decimal | None = None,
    decision: str = "",
) -> SkillExam:
    """A skill-level upgrade exam (thi nâng bậc) of the person's unit on its day; a pass raises their
    level from that day, the earlier levels kept as history."""
    person = _locked(person)
    _past(held_on, "held_on", _("Ngày thi"))
    unit = _unit_on(person, held_on)
    if unit is None:
        raise DomainError(
            _("Ngày %(day)s %(person)s chưa thuộc đơn vị nào trong sổ.")
            % {"day": held_on.strftime("%d/%m/%Y"), "person": person.full_name},
            field="held_on",
        )
    require(actor, ACTION, unit=unit)
    before = level_on(person, held_on)
    if before is not None and level.rank <= before.rank:
        raise DomainError(
            _("Bậc thi phải cao hơn bậc hiện có của %(person)s (%(level)s).")
            % {"person": person.full_name, "level": before.name},
            field="level",
        )
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise DomainError(_("Điểm phải từ 0 đến 100."), field="score")
    if passed and SkillStep.objects.filter(person=person, valid_from__gte=held_on).exists():
        raise DomainError(
            _("%(person)s đã có bậc thợ ghi từ ngày này trở về sau.") % {"person": person.full_name}, field="held_on"
        )
    exam = SkillExam.objects.create(
        unit=unit,
        person=person,
        level_before=before,
        level=level,
        held_on=held_on,
        passed=passed,
        score=score,
        decision=_text(decision, 80),
        created_by=actor,
    )
    if passed:
        SkillStep.objects.create(person=person, level=level, valid_from=held_on, exam=exam)
        _project_skill(person)
    return exam


@transaction.atomic
def create_contest(
    *, actor: User, unit: Unit, kind: str, title: str, level: Level, held_on: date, place: str = ""
) -> Contest:
    require(actor, ACTION, unit=unit)
    if kind not in ContestKind.values:
        raise DomainError(_("Loại hội thi không hợp lệ."), field="kind")
    name = _required(title, 200, "title", _("Chưa nhập tên hội thi."))
    _past(held_on, "held_on", _("Ngày tổ chức"))
    return Contest.objects.create(
        unit=unit, kind=kind, title=name, level=level, held_on=held_on, place=_text(place, 160), created_by=actor
    )


@transaction.atomic
def add_entry(
    contest: Contest,
    *,
    actor: User,
    person: Person,
    event: str = "",
    result: str = "",
    placing: int | None = None,
    award: str = "",
) -> Entry:
    contest = Contest.objects.select_for_update().select_related("unit").get(pk=contest.pk)
    require(actor, ACTION, unit=contest.unit)
    event = _text(event, 160)
    if placing is not None and not 1 <= placing <= 1000:
        raise DomainError(_("Xếp hạng phải từ 1 đến 1000."), field="placing")
    if contest.entries.filter(person=person, event=event).exists():
        raise DomainError(_("%(person)s đã dự thi nội dung này.") % {"person": person.full_name}, field="person")
    return Entry.objects.create(
        contest=contest,
        person=person,
        event=event,
        result=_text(result, 80),
        placing=placing,
        award=_text(award, 120),
    )


def _saving(value: Decimal | None, limit: Decimal, field: str, places: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= limit:
        raise DomainError(_("Giá trị làm lợi phải từ 0 đến dưới %(max)s.") % {"max": bounds.shown(limit)}, field=field)
    return value.quantize(Decimal(places))


@transaction.atomic
def record_initiative(
    *,
    actor: User,
    unit: Unit,
    title: str,
    level: Level,
    recognised_on: date,
    authors: Sequence[Person],
    summary: str = "",
    money_saved: Decimal | None = None,
    hours_saved: Decimal | None = None,
) -> Initiative:
    """An improvement initiative of `unit`, recognised at `level` on its day, with its authors."""
    require(actor, ACTION, unit=unit)
    name = _required(title, 200, "title", _("Chưa nhập tên sáng kiến."))
    _past(recognised_on, "recognised_on", _("Ngày công nhận"))
    if not authors:
        raise DomainError(_("Chưa chọn tác giả nào."), field="authors")
    initiative = Initiative.objects.create(
        unit=unit,
        title=name,
        summary=_text(summary, 2000),
        level=level,
        recognised_on=recognised_on,
        money_saved=_saving(money_saved, MAX_MONEY, "money_saved", "1"),
        hours_saved=_saving(hours_saved, MAX_HOURS, "hours_saved", "0.1"),
        created_by=actor,
    )
    initiative.authors.set(list({p.pk: p for p in authors}.values()))
    return initiative
