"""Writing resolutions, their targets and tasks: each checks the actor's right on the unit concerned
(`resolutions.manage`), validates in Vietnamese naming the field, and writes in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.scoping import PermissionDenied, require, scope_root
from materiel.core.errors import ConflictError, DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.text import nfc
from materiel.units.models import Unit

from . import indicators
from .models import Comparison, Kind, Reported, Resolution, Target, Task, TaskNote, TaskState

ACTION = "resolutions.manage"
MAX_GOAL = Decimal("1000000")


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    text = nfc(str(value or "")).strip()
    if required and not text:
        raise DomainError(_("Chưa nhập %(field)s.") % {"field": FIELD_NAMES.get(field, field)}, field=field)
    if len(text) > limit:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": limit}, field=field)
    return text


FIELD_NAMES = {
    "number": "số, ký hiệu",
    "issuer": "cơ quan ban hành",
    "title": "trích yếu",
    "text": "nội dung",
    "responsible": "cơ quan chủ trì",
    "evidence": "căn cứ, minh chứng",
}


def _require_for(actor, unit: Unit | None) -> None:
    """On a unit of the actor's subtree; a document issued above the tree only from its top."""
    if unit is not None:
        require(actor, ACTION, unit=unit)
        return
    root = scope_root(actor)
    if not actor.is_superuser and (root is None or root.parent_id is not None):
        raise PermissionDenied(_("Chỉ cấp trên cùng của cây đơn vị ghi được văn bản của cấp trên ban hành."))
    if root is not None:
        require(actor, ACTION, unit=root)


@transaction.atomic
def save_resolution(
    *,
    actor,
    number: str,
    issued_on: date,
    issuer: str,
    title: str,
    kind: str,
    starts_on: date,
    ends_on: date | None = None,
    unit: Unit | None = None,
    implements: Resolution | None = None,
) -> Resolution:
    _require_for(actor, unit)
    number = _text(number, "number", 60)
    if kind not in Kind.values:
        raise DomainError(_("Loại văn bản không hợp lệ."), field="kind")
    today = timezone.localdate()
    if issued_on > today:
        raise DomainError(_("Ngày ban hành ở tương lai."), field="issued_on")
    if starts_on < issued_on:
        raise DomainError(_("Hiệu lực không thể trước ngày ban hành."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("Ngày hết hiệu lực trước ngày có hiệu lực."), field="ends_on")
    if implements is not None and implements.issued_on > issued_on:
        raise DomainError(_("Văn bản được thực hiện ban hành sau văn bản này."), field="implements")
    if Resolution.objects.filter(number=number, issued_on=issued_on).exists():
        raise DomainError(_("Đã có văn bản số %(number)s ngày này.") % {"number": number}, field="number")
    return Resolution.objects.create(
        number=number,
        issued_on=issued_on,
        issuer=_text(issuer, "issuer", 200),
        title=_text(title, "title", 400),
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        unit=unit,
        implements=implements,
        created_by=actor,
    )


def parse_goal(value: Any) -> Decimal:
    goal = value if isinstance(value, Decimal) else parse_decimal(value)
    if goal is None or not (-MAX_GOAL < goal < MAX_GOAL):
        raise DomainError(_("Mục tiêu phải là số (ví dụ 90 hoặc 97,5)."), field="goal")
    return goal.quantize(Decimal("0.01"))


@transaction.atomic
def add_target(
    resolution: Resolution,
    *,
    actor,
    text: str,
    goal: Any,
    comparison: str = Comparison.AT_LEAST,
    indicator: str = "",
    params: dict[str, Any] | None = None,
) -> Target:
    """A target measured by an indicator of the catalogue with its parameters, or (none) reported by hand."""
    _require_for(actor, resolution.unit)
    params = indicators.check(indicator, params) if indicator else {}
    if comparison not in Comparison.values:
        raise DomainError(_("Cách so sánh không hợp lệ."), field="comparison")
    position = resolution.targets.count() + 1
    return Target.objects.create(
        resolution=resolution,
        position=position,
        text=_text(text, "text", 300),
        indicator=indicator,
        params=params,
        comparison=comparison,
        goal=parse_goal(goal),
    )


@transaction.atomic
def report_value(target: Target, *, actor, unit: Unit, year: int, value: Any, evidence: str) -> Reported:
    """A by-hand target's value for a unit and a year, with its evidence; reported again, replaced."""
    require(actor, ACTION, unit=unit)
    if target.indicator:
        raise DomainError(
            _("Chỉ tiêu này được tính từ dữ liệu (“%(indicator)s”): không nhập tay.")
            % {"indicator": indicators.CATALOGUE[target.indicator].name},
            field="value",
        )
    today = timezone.localdate()
    if not target.resolution.starts_on.year <= year <= min(today.year, (target.resolution.ends_on or today).year):
        raise DomainError(_("Năm %(year)s ngoài thời gian hiệu lực của văn bản.") % {"year": year}, field="year")
    try:
        number = parse_goal(value)
    except DomainError:
        raise DomainError(_("Giá trị phải là số."), field="value") from None
    row, _created = Reported.objects.update_or_create(
        target=target,
        unit=unit,
        year=year,
        defaults={"value": number, "evidence": _text(evidence, "evidence", 400), "reported_by": actor},
    )
    return row


@transaction.atomic
def add_task(resolution: Resolution, *, actor, unit: Unit, text: str, responsible: str, deadline: date) -> Task:
    require(actor, ACTION, unit=unit)
    if deadline < resolution.starts_on:
        raise DomainError(_("Thời hạn trước ngày văn bản có hiệu lực."), field="deadline")
    return Task.objects.create(
        resolution=resolution,
        unit=unit,
        text=_text(text, "text", 400),
        responsible=_text(responsible, "responsible", 200),
        deadline=deadline,
    )


@transaction.atomic
def note_task(
    task: Task, *, actor, text: str, written_on: date, state: str = "", version: int | None = None
) -> TaskNote:
    """A progress note, and with it the task's new state (done: on the note's day)."""
    require(actor, ACTION, unit=task.unit)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if version is not None and version != task.version:
        raise ConflictError(_("Nhiệm vụ vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
    if written_on > timezone.localdate():
        raise DomainError(_("Ngày ở tương lai."), field="written_on")
    if state and state not in TaskState.values:
        raise DomainError(_("Tình trạng không hợp lệ."), field="state")
    note = TaskNote.objects.create(task=task, written_on=written_on, text=_text(text, "text", 600), written_by=actor)
    if state and state != task.state:
        done_on = written_on if state == TaskState.DONE else None
        Task.objects.filter(pk=task.pk).update(state=state, done_on=done_on, version=F("version") + 1)
    else:
        Task.objects.filter(pk=task.pk).update(version=F("version") + 1)
    return note


def parse_year(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError, InvalidOperation):
        raise DomainError(_("Năm không hợp lệ."), field="year") from None
