"""Training pages: courses and refresher training with their participants and results, the
skill-level upgrade exams, contests with their entries, and improvement initiatives — each a list of
the subtree with its form, and a page per course, contest and initiative."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed
from materiel.core.bounds import parse_id
from materiel.core.errors import DomainError
from materiel.core.views import object_view

from . import parsing, services
from .models import (
    Contest,
    ContestKind,
    Course,
    Initiative,
    Level,
    Person,
    Result,
    SkillExam,
    Specialty,
    TrainingKind,
)
from .views import MAX_ROWS, may_manage

PICK_PEOPLE = 1000  # a form offers at most this many people of the subtree


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _seen(request):
    """The people the user may see today: those named on a course, contest or initiative of the
    subtree who have since moved out of it are not shown (their personal data is seen within scope)."""
    return Person.objects.visible_to(request.user)


def _people_of(request, unit):
    return Person.objects.visible_to(request.user).in_subtree(unit).select_related("unit").order_by("full_name", "id")


def _written(request, make, done: str):
    """Run a write; on success the message and the page to go to, on a refusal the error."""
    if not allowed(request.user, "people.manage"):
        raise Forbidden(_("Vai trò của bạn không được phép thực hiện thao tác này."))
    try:
        target = make()
    except PermissionDenied as refusal:
        raise Forbidden(refusal.message) from None
    except DomainError as refusal:
        return None, refusal
    messages.success(request, done)
    return target, None


def courses(request):
    """Đào tạo, tập huấn, bồi dưỡng: the courses of the subtree, and a new one."""
    scope = page_scope(request)
    error = None
    if request.method == "POST":
        post = request.POST

        def make():
            return services.create_course(
                actor=request.user,
                unit=scope.unit,
                kind=parsing.pick(TrainingKind.objects.all(), post, "kind", _("loại hình")),
                title=post.get("title", ""),
                specialty=parsing.pick(Specialty.objects.all(), post, "specialty", _("chuyên ngành"), required=False),
                starts_on=parsing.required_day(post, "starts_on", _("Ngày bắt đầu")),
                ends_on=parsing.required_day(post, "ends_on", _("Ngày kết thúc")),
                place=post.get("place", ""),
            )

        course, error = _written(request, make, _("Đã mở khóa học."))
        if course is not None:
            return redirect("people:course", pk=course.pk)
    rows = (
        Course.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .select_related("unit", "kind", "specialty")
        .annotate(count=Count("participants", filter=Q(participants__person__in=_seen(request))))
        .order_by("-starts_on", "-id")
    )
    return render(
        request,
        "people/courses.html",
        {
            "scope": scope,
            "courses": rows[:MAX_ROWS],
            "kinds": TrainingKind.objects.all(),
            "specialties": Specialty.objects.all(),
            "can_manage": may_manage(request.user, scope.unit),
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )


def _course_of(request, pk) -> Course:
    return get_object_or_404(Course.objects.visible_to(request.user).select_related("unit", "kind"), pk=pk)


@object_view(Course)
def course(request, pk):
    """A course: its participants and results; add people, enter a result."""
    found = _course_of(request, pk)
    error = None
    if request.method == "POST":
        post, action = request.POST, request.POST.get("action", "")

        def make():
            if action == "add":
                chosen = parsing.picks(_people_of(request, found.unit), post, "person")
                return services.add_participants(found, actor=request.user, people=chosen, version=_version(request))
            if action == "result":
                return services.set_result(
                    found,
                    actor=request.user,
                    participant=parse_id(post.get("participant")) or 0,
                    result=post.get("result", ""),
                    grade=post.get("grade", ""),
                    version=_version(request),
                )
            raise DomainError(_("Thao tác không hợp lệ."), field="action")

        done, error = _written(request, make, _("Đã ghi."))
        if done is not None:
            return redirect("people:course", pk=found.pk)
        found.refresh_from_db()
    participants = (
        found.participants.filter(person__in=_seen(request))
        .select_related("person__unit")
        .order_by("person__full_name", "id")
    )
    taken = {p.person_id for p in participants}
    manage = may_manage(request.user, found.unit)
    return render(
        request,
        "people/course.html",
        {
            "course": found,
            "participants": participants,
            "candidates": [p for p in _people_of(request, found.unit)[:PICK_PEOPLE] if p.pk not in taken]
            if manage
            else [],
            "results": Result.choices,
            "can_manage": manage,
            "finished": found.ends_on <= timezone.localdate(),
            "error": error,
        },
        status=(409 if error.code == "conflict" else 422) if error else 200,
    )


def exams(request):
    """Thi nâng bậc: the exams of the subtree (the person's page records them)."""
    scope = page_scope(request)
    rows = (
        SkillExam.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .filter(person__in=Person.objects.visible_to(request.user))
        .select_related("unit", "person", "level", "level_before")
        .order_by("-held_on", "-id")
    )
    return render(request, "people/exams.html", {"scope": scope, "exams": rows[:MAX_ROWS]})


def contests(request):
    """Hội thi, hội thao: those of the subtree, and a new one."""
    scope = page_scope(request)
    error = None
    if request.method == "POST":
        post = request.POST

        def make():
            return services.create_contest(
                actor=request.user,
                unit=scope.unit,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                level=parsing.pick(Level.objects.all(), post, "level", _("cấp")),
                held_on=parsing.required_day(post, "held_on", _("Ngày tổ chức")),
                place=post.get("place", ""),
            )

        contest, error = _written(request, make, _("Đã ghi hội thi."))
        if contest is not None:
            return redirect("people:contest", pk=contest.pk)
    rows = (
        Contest.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .select_related("unit", "level")
        .annotate(count=Count("entries", filter=Q(entries__person__in=_seen(request))))
        .order_by("-held_on", "-id")
    )
    return render(
        request,
        "people/contests.html",
        {
            "scope": scope,
            "contests": rows[:MAX_ROWS],
            "kinds": ContestKind.choices,
            "levels": Level.objects.all(),
            "can_manage": may_manage(request.user, scope.unit),
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )


@object_view(Contest)
def contest(request, pk):
    found = get_object_or_404(Contest.objects.visible_to(request.user).select_related("unit", "level"), pk=pk)
    error = None
    if request.method == "POST":
        post = request.POST

        def make():
            return services.add_entry(
                found,
                actor=request.user,
                person=parsing.pick(_people_of(request, found.unit), post, "person", _("người dự thi")),
                event=post.get("event", ""),
                result=post.get("result", ""),
                placing=parsing.count(post, "placing", _("Xếp hạng")),
                award=post.get("award", ""),
            )

        done, error = _written(request, make, _("Đã ghi kết quả dự thi."))
        if done is not None:
            return redirect("people:contest", pk=found.pk)
    manage = may_manage(request.user, found.unit)
    return render(
        request,
        "people/contest.html",
        {
            "contest": found,
            "entries": found.entries.filter(person__in=_seen(request))
            .select_related("person__unit")
            .order_by("placing", "id"),
            "candidates": _people_of(request, found.unit)[:PICK_PEOPLE] if manage else [],
            "can_manage": manage,
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )


def initiatives(request):
    """Sáng kiến cải tiến kỹ thuật: those of the subtree, and a new one."""
    scope = page_scope(request)
    error = None
    if request.method == "POST":
        post = request.POST

        def make():
            return services.record_initiative(
                actor=request.user,
                unit=scope.unit,
                title=post.get("title", ""),
                summary=post.get("summary", ""),
                level=parsing.pick(Level.objects.all(), post, "level", _("cấp công nhận")),
                recognised_on=parsing.required_day(post, "recognised_on", _("Ngày công nhận")),
                authors=parsing.picks(_people_of(request, scope.unit), post, "authors"),
                money_saved=parsing.decimal(post, "money_saved", _("Số tiền làm lợi")),
                hours_saved=parsing.decimal(post, "hours_saved", _("Số giờ công tiết kiệm")),
            )

        initiative, error = _written(request, make, _("Đã ghi sáng kiến."))
        if initiative is not None:
            return redirect("people:initiative", pk=initiative.pk)
    rows = (
        Initiative.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .select_related("unit", "level")
        .prefetch_related(Prefetch("authors", queryset=_seen(request).order_by("full_name", "id")))
        .order_by("-recognised_on", "-id")
    )
    manage = may_manage(request.user, scope.unit)
    return render(
        request,
        "people/initiatives.html",
        {
            "scope": scope,
            "initiatives": rows[:MAX_ROWS],
            "levels": Level.objects.all(),
            "candidates": _people_of(request, scope.unit)[:PICK_PEOPLE] if manage else [],
            "can_manage": manage,
            "error": error,
            "posted": request.POST,
            "posted_authors": request.POST.getlist("authors"),
        },
        status=422 if error else 200,
    )


@object_view(Initiative)
def initiative(request, pk):
    found = get_object_or_404(Initiative.objects.visible_to(request.user).select_related("unit", "level"), pk=pk)
    authors = found.authors.filter(pk__in=Person.objects.visible_to(request.user)).select_related("unit")
    return render(request, "people/initiative.html", {"initiative": found, "authors": authors})
