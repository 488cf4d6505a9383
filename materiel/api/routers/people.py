"""Technical staff (cán bộ, nhân viên kỹ thuật): people of a subtree on a day, a person with their
history, recording and moving them, their certifications and the board of those expiring, courses
and their participants, improvement initiatives. The same services and scoping as the pages
(materiel.people)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.accounts.models import User
from materiel.accounts.scoping import restrict
from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.people import board, issuing, services
from materiel.people.models import (
    Certification,
    CertificationKind,
    Course,
    Initiative,
    Level,
    Participant,
    Person,
    Result,
    SkillLevel,
    Specialty,
    TrainingKind,
)

from ..common import Day, Id, Text, Version, unit_for, unit_named
from ..errors import responses

router = Router(tags=["Cán bộ kỹ thuật"])
LIMIT = 500
Days = Annotated[int, Field(ge=1, le=board.MAX_DAYS)]
Money = Annotated[Decimal, Field(ge=0, lt=services.MAX_MONEY, max_digits=15, decimal_places=0)]
Hours = Annotated[Decimal, Field(ge=0, lt=services.MAX_HOURS, max_digits=9, decimal_places=1)]


class PeopleReferenceOut(Schema):
    code: str
    name: str


class PeopleReferenceData(Schema):
    specialties: list[PeopleReferenceOut]
    skill_levels: list[PeopleReferenceOut]
    training_kinds: list[PeopleReferenceOut]
    certification_kinds: list[PeopleReferenceOut]
    levels: list[PeopleReferenceOut]


@router.get("/people/reference", response=responses(PeopleReferenceData), summary="Danh mục của cán bộ kỹ thuật")
def reference(request):
    def rows(model):
        return [{"code": r.code, "name": r.name} for r in model.objects.all()]

    return {
        "specialties": rows(Specialty),
        "skill_levels": rows(SkillLevel),
        "training_kinds": rows(TrainingKind),
        "certification_kinds": rows(CertificationKind),
        "levels": rows(Level),
    }


class MembershipOut(Schema):
    unit: str
    valid_from: date
    valid_to: date | None = None


class PersonOut(Schema):
    id: int
    full_name: str
    rank: str
    position: str
    unit: str
    specialty: str
    skill_level: str | None = None
    education: str
    version: int


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]


def person_out(person: Person, *, history: bool = False) -> dict:
    out = {
        "id": person.pk,
        "full_name": person.full_name,
        "rank": person.rank,
        "position": person.position,
        "unit": person.unit.code,
        "specialty": person.specialty.code,
        "skill_level": person.skill_level.code if person.skill_level else None,
        "education": person.education,
        "version": person.version,
    }
    if history:
        out["memberships"] = [
            {"unit": m.unit.code, "valid_from": m.valid_from, "valid_to": m.valid_to}
            for m in person.memberships.select_related("unit").order_by("valid_from")
        ]
    return out


def _person(request, person_id: int) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("unit", "specialty", "skill_level"), pk=person_id
    )


def _ref(model, code: str | None, field: str, *, required: bool = True):
    if not code and not required:
        return None
    found = model.objects.filter(code=code or "").first()
    if found is None:
        raise DomainError(_("Mã “%(code)s” không có trong danh mục.") % {"code": (code or "")[:40]}, field=field)
    return found


class PeopleFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    on: Day | None = None
    specialty: Text(40) | None = None  # type: ignore[valid-type]
    skill_level: Text(40) | None = None  # type: ignore[valid-type]


@router.get("/people", response=responses(list[PersonOut]), summary="Cán bộ kỹ thuật của một cây đơn vị tại một ngày")
def list_people(request, filters: Query[PeopleFilters]):
    unit = unit_for(request, filters.unit)
    day = filters.on if filters.on and filters.on < timezone.localdate() else None
    rows = Person.objects.visible_to(request.user, day).on(unit.path, day)
    if filters.specialty:
        rows = rows.filter(specialty__code=filters.specialty)
    if filters.skill_level:
        rows = rows.filter(skill_level__code=filters.skill_level)
    rows = rows.select_related("unit", "specialty", "skill_level").order_by("unit__path", "full_name", "id")
    return [person_out(p) for p in rows[:LIMIT]]


@router.get("/people/{person_id}", response=responses(PersonDetailOut), summary="Một cán bộ và quá trình công tác")
def get_person(request, person_id: Id):
    return person_out(_person(request, person_id), history=True)


class PersonIn(Schema):
    unit: Text(40)  # type: ignore[valid-type]
    full_name: Text(120)  # type: ignore[valid-type]
    specialty: Text(40)  # type: ignore[valid-type]
    joined_on: Day
    rank: Text(40) = ""  # type: ignore[valid-type]
    position: Text(120) = ""  # type: ignore[valid-type]
    education: Text(120) = ""  # type: ignore[valid-type]
    skill_level: Text(40) | None = None  # type: ignore[valid-type]
    user: Text(150) | None = None  # type: ignore[valid-type]


def _user(request, username: str | None) -> User | None:
    if not username:
        return None
    found = restrict(User.objects.all(), request.user, "unit__path", grants=False).filter(username=username).first()
    if found is None:
        raise DomainError(_("Không tìm thấy tài khoản “%(user)s”.") % {"user": username}, field="user")
    return found


@router.post("/people", response=responses(PersonDetailOut), summary="Thêm cán bộ kỹ thuật")
def create_person(request, payload: PersonIn):
    person = services.create_person(
        actor=request.user,
        unit=unit_named(request, payload.unit, field="unit"),
        full_name=payload.full_name,
        specialty=_ref(Specialty, payload.specialty, "specialty"),
        joined_on=payload.joined_on,
        rank=payload.rank,
        position=payload.position,
        education=payload.education,
        skill_level=_ref(SkillLevel, payload.skill_level, "skill_level", required=False),
        user=_user(request, payload.user),
    )
    return person_out(person, history=True)


class PersonMoveIn(Schema):
    to_unit: Text(40)  # type: ignore[valid-type]
    moved_on: Day
    document: Text(80) = ""  # type: ignore[valid-type]
    version: Version | None = None


@router.post("/people/{person_id}/move", response=responses(PersonDetailOut), summary="Chuyển cán bộ sang đơn vị khác")
def move_person(request, person_id: Id, payload: PersonMoveIn):
    person = _person(request, person_id)
    services.move_person(
        person,
        actor=request.user,
        to_unit=unit_named(request, payload.to_unit, field="to_unit"),
        moved_on=payload.moved_on,
        document=payload.document,
        version=payload.version,
    )
    return person_out(_person(request, person_id), history=True)


class CertificationOut(Schema):
    id: int
    person: int
    full_name: str
    unit: str
    kind: str
    number: str
    issued_on: date
    expires_on: date | None = None
    issued_by: str


def certification_out(c: Certification) -> dict:
    return {
        "id": c.pk,
        "person": c.person_id,
        "full_name": c.person.full_name,
        "unit": c.person.unit.code,
        "kind": c.kind.code,
        "number": c.number,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "issued_by": c.issued_by,
    }


@router.get(
    "/people/{person_id}/certifications",
    response=responses(list[CertificationOut]),
    summary="Các chứng chỉ của một cán bộ",
)
def person_certifications(request, person_id: Id):
    person = _person(request, person_id)
    rows = person.certifications.select_related("person__unit", "kind").order_by("-issued_on", "-id")
    return [certification_out(c) for c in rows]


class CertificationIn(Schema):
    kind: Text(40)  # type: ignore[valid-type]
    issued_on: Day
    expires_on: Day | None = None
    number: Text(60) = ""  # type: ignore[valid-type]
    issued_by: Text(160) = ""  # type: ignore[valid-type]


@router.post(
    "/people/{person_id}/certifications", response=responses(CertificationOut), summary="Ghi chứng chỉ của cán bộ"
)
def certify(request, person_id: Id, payload: CertificationIn):
    made = services.certify(
        _person(request, person_id),
        actor=request.user,
        kind=_ref(CertificationKind, payload.kind, "kind"),
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        number=payload.number,
        issued_by=payload.issued_by,
    )
    return certification_out(Certification.objects.select_related("person__unit", "kind").get(pk=made.pk))


class BoardFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    state: Annotated[str, Field(pattern="^(expired|expiring)$")] | None = None
    days: Days = board.DEFAULT_DAYS


@router.get(
    "/certifications/expiring",
    response=responses(list[CertificationOut]),
    summary="Chứng chỉ sắp hết hạn, đã hết hạn của một cây đơn vị",
)
def expiring(request, filters: Query[BoardFilters]):
    unit = unit_for(request, filters.unit)
    rows = board.rows(
        Certification.objects.visible_to(request.user), unit, filters.state or "", timezone.localdate(), filters.days
    )
    rows = rows.select_related("person__unit", "kind").order_by("expires_on", "id")
    return [certification_out(c) for c in rows[:LIMIT]]


class ParticipantOut(Schema):
    id: int
    person: int
    full_name: str
    result: str
    grade: str


class CourseOut(Schema):
    id: int
    unit: str
    kind: str
    title: str
    specialty: str | None = None
    starts_on: date
    ends_on: date
    location: str
    version: int
    participants: list[ParticipantOut]


def with_participants(courses, user):
    """Courses with their participants prefetched; those who have since moved out of the caller's
    scope are not named."""
    seen = Participant.objects.filter(person__in=Person.objects.visible_to(user)).select_related("person")
    return courses.prefetch_related(Prefetch("participants", queryset=seen.order_by("id")))


def course_out(course: Course) -> dict:
    return {
        "id": course.pk,
        "unit": course.unit.code,
        "kind": course.kind.code,
        "title": course.title,
        "specialty": course.specialty.code if course.specialty else None,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "location": course.place,
        "version": course.version,
        "participants": [
            {"id": p.pk, "person": p.person_id, "full_name": p.person.full_name, "result": p.result, "grade": p.grade}
            for p in course.participants.all()
        ],
    }


def _course(request, course_id: int) -> Course:
    courses = with_participants(Course.objects.visible_to(request.user), request.user)
    return get_object_or_404(courses.select_related("unit", "kind", "specialty"), pk=course_id)


class PeopleUnitFilter(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]


@router.get("/training/courses", response=responses(list[CourseOut]), summary="Các khóa học của một cây đơn vị")
def list_courses(request, filters: Query[PeopleUnitFilter]):
    rows = Course.objects.visible_to(request.user).in_subtree(unit_for(request, filters.unit))
    rows = with_participants(rows, request.user).select_related("unit", "kind", "specialty")
    return [course_out(c) for c in rows.order_by("-starts_on", "-id")[:200]]


@router.get("/training/courses/{course_id}", response=responses(CourseOut), summary="Một khóa học")
def get_course(request, course_id: Id):
    return course_out(_course(request, course_id))


class CourseIn(Schema):
    unit: Text(40)  # type: ignore[valid-type]
    kind: Text(40)  # type: ignore[valid-type]
    title: Text(200)  # type: ignore[valid-type]
    starts_on: Day
    ends_on: Day
    specialty: Text(40) | None = None  # type: ignore[valid-type]
    location: Text(160) = ""  # type: ignore[valid-type]  # the course's place (Course.place)


@router.post("/training/courses", response=responses(CourseOut), summary="Mở khóa đào tạo, tập huấn, bồi dưỡng")
def create_course(request, payload: CourseIn):
    course = services.create_course(
        actor=request.user,
        unit=unit_named(request, payload.unit, field="unit"),
        kind=_ref(TrainingKind, payload.kind, "kind"),
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        specialty=_ref(Specialty, payload.specialty, "specialty", required=False),
        place=payload.location,
    )
    return course_out(_course(request, course.pk))


class ParticipantsIn(Schema):
    people: list[Id] = Field(..., min_length=1, max_length=services.MAX_PARTICIPANTS)
    version: Version | None = None


@router.post(
    "/training/courses/{course_id}/participants", response=responses(CourseOut), summary="Thêm người học vào khóa"
)
def add_participants(request, course_id: Id, payload: ParticipantsIn):
    course = _course(request, course_id)
    people = Person.objects.visible_to(request.user).in_subtree(course.unit)
    chosen = [get_object_or_404(people, pk=pk) for pk in dict.fromkeys(payload.people)]
    services.add_participants(course, actor=request.user, people=chosen, version=payload.version)
    return course_out(_course(request, course_id))


class ResultIn(Schema):
    participant: Id
    result: Result
    grade: Text(40) = ""  # type: ignore[valid-type]
    version: Version | None = None


@router.post(
    "/training/courses/{course_id}/results", response=responses(CourseOut), summary="Ghi kết quả của một người học"
)
def set_result(request, course_id: Id, payload: ResultIn):
    course = _course(request, course_id)
    services.set_result(
        course,
        actor=request.user,
        participant=payload.participant,
        result=payload.result,
        grade=payload.grade,
        version=payload.version,
    )
    return course_out(_course(request, course_id))


class InitiativeOut(Schema):
    id: int
    unit: str
    title: str
    summary: str
    level: str
    recognised_on: date
    money_saved: Decimal | None = None
    hours_saved: Decimal | None = None
    authors: list[int]


def with_authors(initiatives, user):
    """Initiatives with their authors prefetched; those who have since moved out of the caller's
    scope are not named."""
    seen = Person.objects.visible_to(user).order_by("pk")
    return initiatives.select_related("unit", "level").prefetch_related(Prefetch("authors", queryset=seen))


def initiative_out(i: Initiative) -> dict:
    return {
        "id": i.pk,
        "unit": i.unit.code,
        "title": i.title,
        "summary": i.summary,
        "level": i.level.code,
        "recognised_on": i.recognised_on,
        "money_saved": i.money_saved,
        "hours_saved": i.hours_saved,
        "authors": [a.pk for a in i.authors.all()],
    }


@router.get(
    "/initiatives", response=responses(list[InitiativeOut]), summary="Sáng kiến cải tiến kỹ thuật của một cây đơn vị"
)
def list_initiatives(request, filters: Query[PeopleUnitFilter]):
    rows = Initiative.objects.visible_to(request.user).in_subtree(unit_for(request, filters.unit))
    return [initiative_out(i) for i in with_authors(rows, request.user).order_by("-recognised_on", "-id")[:LIMIT]]


@router.get("/initiatives/{initiative_id}", response=responses(InitiativeOut), summary="Một sáng kiến")
def get_initiative(request, initiative_id: Id):
    found = get_object_or_404(with_authors(Initiative.objects.visible_to(request.user), request.user), pk=initiative_id)
    return initiative_out(found)


class InitiativeIn(Schema):
    unit: Text(40)  # type: ignore[valid-type]
    title: Text(200)  # type: ignore[valid-type]
    level: Text(40)  # type: ignore[valid-type]
    recognised_on: Day
    authors: list[Id] = Field(..., min_length=1, max_length=50)
    summary: Text(2000) = ""  # type: ignore[valid-type]
    money_saved: Money | None = None
    hours_saved: Hours | None = None


@router.post("/initiatives", response=responses(InitiativeOut), summary="Ghi sáng kiến cải tiến kỹ thuật")
def record_initiative(request, payload: InitiativeIn):
    unit = unit_named(request, payload.unit, field="unit")
    people = Person.objects.visible_to(request.user)
    authors = [get_object_or_404(people, pk=pk) for pk in dict.fromkeys(payload.authors)]
    made = services.record_initiative(
        actor=request.user,
        unit=unit,
        title=payload.title,
        level=_ref(Level, payload.level, "level"),
        recognised_on=payload.recognised_on,
        authors=authors,
        summary=payload.summary,
        money_saved=payload.money_saved,
        hours_saved=payload.hours_saved,
    )
    return initiative_out(with_authors(Initiative.objects.all(), request.user).get(pk=made.pk))


class IssuanceOut(Schema):
    id: int
    person: int
    item: int
    serial: str
    issued_on: date
    gate: str
    reason: str
    event: int


class PersonIssueIn(Schema):
    item: Id
    occurred_on: Day
    reason: Text(300) = ""  # type: ignore[valid-type]


@router.post(
    "/people/{person_id}/issues",
    response=responses(IssuanceOut),
    summary="Cấp phát trang bị cho cán bộ, qua điều kiện chứng chỉ của nhóm trang bị",
)
def issue_to_person(request, person_id: Id, payload: PersonIssueIn):
    person = _person(request, person_id)
    item = get_object_or_404(
        Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=payload.item
    )
    made = issuing.issue_to_person(
        item, person=person, actor=request.user, occurred_on=payload.occurred_on, reason=payload.reason
    )
    return {
        "id": made.pk,
        "person": person.pk,
        "item": item.pk,
        "serial": item.serial,
        "issued_on": made.issued_on,
        "gate": made.gate,
        "reason": made.reason,
        "event": made.event_lines.get().event_id,
    }
