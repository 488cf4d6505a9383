"""Inspection verbs: keep the checklist templates (a new version per edit), open a run (copying
its template's steps), enter its results grid, finish it, close its corrective actions.

Who: the `inspections.manage` action for the reference data and on the run's unit for the runs
(accounts.scoping). Finishing a run writes, in one transaction through the ledger's `Writer`, the
grade changes it proposed and the readiness reasons its failed steps set, each linked to the run by
an `InspectionLine`; a failed step whose effect is "opens a work order" opens one through
`workorders.services`. A finished run is never edited again (docs/inspections.md).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, require
from materiel.catalog.models import KitLine
from materiel.core.errors import ConflictError, DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.text import nfc
from materiel.equipment.models import Item
from materiel.ledger import services as ledger
from materiel.ledger.kit import changes_kit
from materiel.ledger.rules import fmt
from materiel.storage.models import ItemPlace, StoragePlace
from materiel.units.models import Unit
from materiel.workorders import services as workorders

from .kinds import READINESS
from .models import (
    Check,
    ChecklistTemplate,
    CorrectiveAction,
    DutyRow,
    Effect,
    InspectionKind,
    InspectionLine,
    Result,
    Run,
    RunItem,
    RunState,
    RunStep,
    Severity,
    StepFields,
    TemplateStep,
)

ACTION = "inspections.manage"


def today() -> date:
    return timezone.localdate()


def require_reference(actor: User) -> None:
    """The templates, the matrix and the reasons are shared by the whole tree, like the catalogue."""
    if not allowed(actor, ACTION):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))


# ---- templates ------------------------------------------------------------------------------------


@dataclass
class Step:
    """A step as typed: its text, check, limits, severity and effect."""

    text: str
    severity: str
    method: str = Check.PASS_FAIL
    measure_unit: str = ""
    lower: Any = None
    upper: Any = None
    effect: str = Effect.NOTE
    reason: Any = None  # a ReadinessReason, for the effect "not serviceable"


def _limit(value: Any, n: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    number = parse_decimal(value)  # the Vietnamese way, as the grid's measures: "0,5", "2.600"
    if number is None:
        raise DomainError(_("Bước %(n)d: giới hạn phải là số.") % {"n": n}, field=field)
    return number


def _clean_step(step: Step, n: int) -> dict[str, Any]:
    text = nfc(step.text or "")
    if not text:
        raise DomainError(_("Bước %(n)d: chưa nhập nội dung kiểm tra.") % {"n": n}, field="text")
    if step.method not in Check.values:
        raise DomainError(_("Bước %(n)d: cách kiểm tra không hợp lệ.") % {"n": n}, field="method")
    if step.effect not in Effect.values:
        raise DomainError(_("Bước %(n)d: hệ quả nếu không đạt không hợp lệ.") % {"n": n}, field="effect")
    if step.severity not in Severity.values:
        raise DomainError(_("Bước %(n)d: mức độ nếu không đạt không hợp lệ.") % {"n": n}, field="severity")
    lower, upper = _limit(step.lower, n, "lower"), _limit(step.upper, n, "upper")
    if step.method == Check.MEASURE:
        if lower is None and upper is None:
            raise DomainError(_("Bước %(n)d: bước đo cần giới hạn dưới hoặc trên.") % {"n": n}, field="lower")
        if lower is not None and upper is not None and lower > upper:
            raise DomainError(_("Bước %(n)d: giới hạn dưới lớn hơn giới hạn trên.") % {"n": n}, field="lower")
    else:
        lower = upper = None
    if step.effect == Effect.NOT_SERVICEABLE and step.reason is None:
        raise DomainError(_("Bước %(n)d: chưa chọn lý do chưa sẵn sàng.") % {"n": n}, field="reason")
    return {
        "position": n,
        "text": text[:200],
        "method": step.method,
        "measure_unit": nfc(step.measure_unit or "")[:20] if step.method == Check.MEASURE else "",
        "lower": lower,
        "upper": upper,
        "severity": step.severity,
        "effect": step.effect,
        "reason": step.reason if step.effect == Effect.NOT_SERVICEABLE else None,
    }


def check_step(step: Step, n: int) -> None:
    """Refuse step `n` as `save_template` would (the message names the step), before anything is
    written: the API names the refused step's field by its place in the request."""
    _clean_step(step, n)


@transaction.atomic
def save_template(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    steps: Sequence[Step],
    equipment_type: Any = None,
    category: Any = None,
) -> ChecklistTemplate:
    """A template's next version (the first if the code is new); the older versions stay."""
    require_reference(actor)
    if kind not in InspectionKind.values:
        raise DomainError(_("Hình thức kiểm tra không hợp lệ."), field="kind")
    name = nfc(name or "")
    if not name:
        raise DomainError(_("Chưa nhập tên mẫu phiếu."), field="name")
    if not steps:
        raise DomainError(_("Mẫu phiếu chưa có bước kiểm tra nào."), field="steps")
    cleaned = [_clean_step(step, n) for n, step in enumerate(steps, start=1)]
    previous = ChecklistTemplate.objects.select_for_update().filter(code=code).order_by("-version").first()
    version = previous.version + 1 if previous else 1
    ChecklistTemplate.objects.filter(code=code).update(is_current=False)
    template = ChecklistTemplate.objects.create(
        code=code,
        version=version,
        name=name[:150],
        kind=kind,
        equipment_type=equipment_type,
        category=category if equipment_type is None else None,
    )
    TemplateStep.objects.bulk_create(TemplateStep(template=template, **row) for row in cleaned)
    return template


def current(code: str) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(code=code, is_current=True).first()


# ---- runs -----------------------------------------------------------------------------------------


def _where(run_item: RunItem, step: StepFields) -> str:
    return _("Bước %(step)d “%(text)s”, trang bị %(serial)s") % {
        "step": step.position,
        "text": step.text,
        "serial": run_item.item.serial,
    }


def _lock(run: Run, actor: User, version: int | None = None) -> Run:
    locked = Run.objects.select_for_update(of=("self",)).select_related("unit").get(pk=run.pk)
    require(actor, ACTION, unit=locked.unit)
    if locked.is_finished:
        raise DomainError(
            _("Lần kiểm tra KT-%(pk)d đã kết thúc: không thể sửa; hãy lập lần kiểm tra mới.") % {"pk": locked.pk}
        )
    if version is not None and version != locked.version:
        raise ConflictError(_("Lần kiểm tra vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
    return locked


def _touch(run: Run) -> None:
    Run.objects.filter(pk=run.pk).update(version=F("version") + 1)
    run.version += 1


@transaction.atomic
def _check_duty(duty: DutyRow | None, template: ChecklistTemplate, place: StoragePlace | None) -> None:
    """A run answers a matrix row only with the row's template and, for a row about a kind of place,
    on a place of that kind."""
    if duty is None:
        return
    if template.code != duty.template_code:
        raise DomainError(
            _("Dòng ma trận “%(duty)s” kiểm tra theo mẫu “%(name)s”, không phải mẫu này.")
            % {"duty": duty, "name": getattr(current(duty.template_code), "name", duty.template_code)},
            field="duty",
        )
    kind = duty.place_kind
    if kind is not None and (place is None or place.kind_id != kind.pk):
        raise DomainError(
            _("Dòng ma trận “%(duty)s” kiểm tra nơi cất giữ loại “%(kind)s”: hãy chọn một nơi loại đó.")
            % {"duty": duty, "kind": kind.name},
            field="place",
        )


def open_run(
    *,
    actor: User,
    unit: Unit,
    template: ChecklistTemplate,
    inspector: str,
    inspected_on: date,
    kind: str,
    items: Iterable[Item] = (),
    place: StoragePlace | None = None,
    duty: DutyRow | None = None,
) -> Run:
    """A run of `unit`'s items (those given, and every item now in `place`), with the template
    version's steps copied into it; `duty` is the matrix row it answers, if any."""
    require(actor, ACTION, unit=unit)
    if kind not in InspectionKind.values:
        raise DomainError(_("Hình thức kiểm tra không hợp lệ."), field="kind")
    _check_duty(duty, template, place)
    inspector = nfc(inspector or "")
    if not inspector:
        raise DomainError(_("Chưa nhập người kiểm tra."), field="inspector")
    if inspected_on is None or inspected_on > today():
        raise DomainError(_("Ngày kiểm tra không được ở tương lai."), field="inspected_on")
    wanted = list(items)
    if place is not None:
        if place.unit_id != unit.pk:
            raise DomainError(_("Nơi cất giữ này không thuộc %(unit)s.") % {"unit": unit.name}, field="place")
        in_place = ItemPlace.objects.filter(place=place).values_list("item_id", flat=True)
        wanted += list(Item.objects.filter(pk__in=in_place).order_by("serial"))
    seen: set[int] = set()
    rows = []
    for item in wanted:
        if item.pk in seen:
            continue
        seen.add(item.pk)
        item = Item.objects.select_related("unit").get(pk=item.pk)
        if not can_see_unit(actor, item.unit) or not item.unit.is_within(unit):
            raise DomainError(
                _("Trang bị %(serial)s không thuộc %(unit)s.") % {"serial": item.serial, "unit": unit.name},
                field="item",
            )
        if inspected_on < item.received_on:
            raise DomainError(
                _("Trang bị %(serial)s: ngày kiểm tra %(day)s trước ngày tiếp nhận %(received)s.")
                % {"serial": item.serial, "day": fmt(inspected_on), "received": fmt(item.received_on)},
                field="inspected_on",
            )
        rows.append(item)
    if not rows:
        raise DomainError(_("Lần kiểm tra chưa có trang bị nào."), field="item")
    run = Run.objects.create(
        unit=unit,
        template=template,
        place=place,
        kind=kind,
        duty=duty,
        inspector=inspector[:150],
        inspected_on=inspected_on,
        created_by=actor,
    )
    RunStep.objects.bulk_create(
        RunStep(run=run, **{name: getattr(step, name) for name in StepFields.COPIED})
        for step in template.steps.order_by("position")
    )
    RunItem.objects.bulk_create(
        RunItem(run=run, position=n, item=item, grade_before=item.grade) for n, item in enumerate(rows, start=1)
    )
    return run


def _value(run_item: RunItem, step: RunStep, raw: Any) -> Decimal:
    value = parse_decimal(raw)  # the Vietnamese way: "27,5", "1.234,5"; ASCII digits only
    if value is None or abs(value) >= Decimal(10) ** 9:
        raise DomainError(
            _("%(where)s: giá trị đo phải là số.") % {"where": _where(run_item, step)},
            field=f"r-{run_item.pk}-{step.pk}",
        )
    return value.quantize(Decimal("0.001"))


def _in_limits(step: RunStep, value: Decimal) -> bool:
    return (step.lower is None or value >= step.lower) and (step.upper is None or value <= step.upper)


# The grid's page reads every typed cell with these before saving, to mark all the bad ones at once.
measured = _value
within_limits = _in_limits


@transaction.atomic
def enter_results(
    run: Run,
    *,
    actor: User,
    results: Mapping[tuple[int, int], Any],
    grades: Mapping[int, Any] | None = None,
    notes: Mapping[tuple[int, int], str] | None = None,
    kits: Mapping[int, list[dict[str, Any]]] | None = None,
    version: int | None = None,
) -> Run:
    """The grid: `results[(run item id, run step id)]` is False (failed) or True for a check, the
    value as typed for a measure; a cell left out passed ("all pass"). It replaces the run's grid.
    `grades[run item id]` is the grade proposed (empty: unchanged); `kits[run item id]` the kit as
    found, each line with what is missing and damaged of it (`check_kit`)."""
    run = _lock(run, actor, version)
    run_items = {ri.pk: ri for ri in run.items.select_related("item")}
    steps = {s.pk: s for s in run.steps.all()}
    rows = []
    for (ri_pk, step_pk), raw in results.items():
        run_item, step = run_items.get(ri_pk), steps.get(step_pk)
        if run_item is None or step is None:
            raise DomainError(_("Ô kết quả không thuộc lần kiểm tra này."), field="results")
        note = nfc((notes or {}).get((ri_pk, step_pk), ""))[:300]
        if step.method == Check.MEASURE:
            if raw in (None, ""):
                continue
            value = _value(run_item, step, raw)
            rows.append(Result(run_item=run_item, step=step, passed=_in_limits(step, value), value=value, note=note))
        else:
            if raw not in (True, False, "pass", "fail", "0", "1", 0, 1):
                raise DomainError(
                    _("%(where)s: kết quả phải là đạt hoặc không đạt.") % {"where": _where(run_item, step)},
                    field=f"r-{ri_pk}-{step_pk}",
                )
            passed = raw in (True, "pass", "1", 1)
            if not passed or note:
                rows.append(Result(run_item=run_item, step=step, passed=passed, note=note))
    Result.objects.filter(run_item__run=run).delete()
    Result.objects.bulk_create(rows)
    for ri_pk, raw in (grades or {}).items():
        run_item = run_items.get(ri_pk)
        if run_item is None:
            raise DomainError(_("Trang bị không thuộc lần kiểm tra này."), field="grades")
        grade = None
        if raw not in (None, ""):
            try:
                grade = int(raw)
            except (TypeError, ValueError):
                grade = 0
            if not 1 <= grade <= 5:
                raise DomainError(
                    _("Trang bị %(serial)s: cấp chất lượng đề nghị phải từ 1 đến 5.")
                    % {"serial": run_item.item.serial},
                    field=f"g-{ri_pk}",
                )
        RunItem.objects.filter(pk=ri_pk).update(grade_proposed=grade)
    for ri_pk, shortages in (kits or {}).items():
        run_item = run_items.get(ri_pk)
        if run_item is None:
            raise DomainError(_("Trang bị không thuộc lần kiểm tra này."), field="kits")
        RunItem.objects.filter(pk=ri_pk).update(kit=check_kit(run_item, shortages))
    _touch(run)
    return run


def check_kit(run_item: RunItem, shortages: list[dict[str, Any]]) -> list[dict[str, int]]:
    """The lines short of the item's kit, each a line of its type's kit with no more missing and
    damaged than the kit has; a refusal names the item and the line."""
    lines = {line.pk: line for line in KitLine.objects.filter(equipment_type_id=run_item.item.equipment_type_id)}
    kept = []
    for shortage in shortages:
        line = lines.get(shortage["line"]) if isinstance(shortage.get("line"), int) else None
        if line is None:
            raise DomainError(
                _("Trang bị %(serial)s: dòng đồng bộ không có trong bộ đồng bộ của loại này.")
                % {"serial": run_item.item.serial},
                field="kits",
            )
        missing, damaged = (shortage.get(key) or 0 for key in ("missing", "damaged"))
        if not (isinstance(missing, int) and isinstance(damaged, int)) or min(missing, damaged) < 0:
            raise DomainError(
                _("Trang bị %(serial)s, “%(line)s”: số thiếu, hỏng phải là số nguyên không âm.")
                % {"serial": run_item.item.serial, "line": line.name},
                field=f"k-{run_item.pk}-{line.pk}",
            )
        if missing + damaged > line.quantity:
            raise DomainError(
                _("Trang bị %(serial)s, “%(line)s”: thiếu và hỏng nhiều hơn %(quantity)s của bộ đồng bộ.")
                % {"serial": run_item.item.serial, "line": line.name, "quantity": line.quantity},
                field=f"k-{run_item.pk}-{line.pk}",
            )
        if missing or damaged:
            kept.append({"line": line.pk, "missing": missing, "damaged": damaged})
    return kept


def findings(run: Run) -> list[Result]:
    """The failed cells of the run, in grid order."""
    return list(
        Result.objects.filter(run_item__run=run, passed=False)
        .select_related("run_item__item", "step")
        .order_by("run_item__position", "step__position")
    )


@transaction.atomic
def finish_run(run: Run, *, actor: User, version: int | None = None) -> Run:
    """Write what the run found: the grade changes proposed, the readiness reasons of its failed
    "not serviceable" steps (through the ledger's Writer, linked to the run) and a repair order
    per item with a failed "opens a work order" step. Then the run is finished, never edited again."""
    run = _lock(run, actor, version)
    run_items = list(run.items.select_related("item").order_by("position"))
    writer = ledger.Writer([ri.item for ri in run_items], actor=actor)
    adopted = {item.pk: item for item in writer.items}
    failed = findings(run)
    number = f"KT-{run.pk}"
    reason = _("Kiểm tra kỹ thuật %(number)s") % {"number": number}
    for run_item in run_items:
        item = adopted[run_item.item_id]
        if run_item.grade_proposed is not None and run_item.grade_proposed != item.grade:
            try:
                writer.grade_change(
                    item,
                    grade=run_item.grade_proposed,
                    reason=reason,
                    occurred_on=run.inspected_on,
                    document_number=number,
                    inspection=number,
                )
            except DomainError as error:
                raise DomainError(
                    _("Trang bị %(serial)s: %(message)s") % {"serial": item.serial, "message": error.message},
                    field=error.field,
                ) from None
        ready = [r for r in failed if r.run_item_id == run_item.pk and r.step.effect == Effect.NOT_SERVICEABLE]
        if ready:
            step = ready[0].step
            assert step.reason is not None  # save_template refuses such a step without a reason
            try:
                writer.record(
                    item,
                    READINESS,
                    occurred_on=run.inspected_on,
                    document_number=number,
                    details={"reason": step.reason.code, "note": step.text},
                )
            except DomainError as error:
                raise DomainError(
                    _("%(where)s: %(message)s") % {"where": _where(run_item, step), "message": error.message},
                    field=error.field,
                ) from None
        if run_item.kit is not None and changes_kit(run_item.kit, item.pk):
            try:
                writer.kit(item, shortages=run_item.kit, occurred_on=run.inspected_on, note=reason,
                           document_number=number)  # fmt: skip
            except DomainError as error:
                raise DomainError(
                    _("Trang bị %(serial)s: %(message)s") % {"serial": item.serial, "message": error.message},
                    field=error.field,
                ) from None
    InspectionLine.link(run, writer.save())
    for run_item in run_items:
        opening = [r for r in failed if r.run_item_id == run_item.pk and r.step.effect == Effect.WORK_ORDER]
        if not opening:
            continue
        fault = "; ".join(f"{r.step.text}{': ' + str(r.value) if r.value is not None else ''}" for r in opening)
        order = workorders.create_order(
            actor=actor,
            unit=run_item.item.unit,
            kind="repair",
            title=_("Khắc phục sau kiểm tra %(number)s: %(serial)s")
            % {"number": number, "serial": run_item.item.serial},
            items=[workorders.Wanted(item=run_item.item)],
            opened_on=run.inspected_on,
            fault=fault[:300],
            authority=ACTION,  # the finding opens it: an inspector need not manage the unit's orders
        )
        Result.objects.filter(pk__in=[r.pk for r in opening]).update(work_order=order)
    Run.objects.filter(pk=run.pk).update(state=RunState.FINISHED, finished_at=timezone.now(), version=F("version") + 1)
    run.refresh_from_db()
    return run


# ---- corrective actions ---------------------------------------------------------------------------


@transaction.atomic
def add_action(
    run: Run, *, actor: User, text: str, responsible: str, deadline: date, result: Result | None = None
) -> CorrectiveAction:
    """A corrective action of a run (finished or not: actions follow the findings)."""
    run = Run.objects.select_related("unit").get(pk=run.pk)
    require(actor, ACTION, unit=run.unit)
    text, responsible = nfc(text or ""), nfc(responsible or "")
    if not text:
        raise DomainError(_("Chưa nhập biện pháp khắc phục."), field="text")
    if not responsible:
        raise DomainError(_("Chưa nhập người chịu trách nhiệm."), field="responsible")
    if deadline is None:
        raise DomainError(_("Chưa nhập thời hạn."), field="deadline")
    if deadline < run.inspected_on:
        raise DomainError(
            _("Thời hạn khắc phục trước ngày kiểm tra %(day)s.") % {"day": fmt(run.inspected_on)}, field="deadline"
        )
    if result is not None and result.run_item.run_id != run.pk:
        raise DomainError(_("Phát hiện không thuộc lần kiểm tra này."), field="result")
    return CorrectiveAction.objects.create(
        run=run, result=result, text=text[:300], responsible=responsible[:150], deadline=deadline
    )


@transaction.atomic
def close_action(
    action: CorrectiveAction, *, actor: User, done: str, closed_on: date | None = None
) -> CorrectiveAction:
    action = CorrectiveAction.objects.select_for_update(of=("self",)).select_related("run__unit").get(pk=action.pk)
    require(actor, ACTION, unit=action.run.unit)
    if action.closed_on is not None:
        raise DomainError(_("Biện pháp khắc phục này đã hoàn thành."), field="done")
    done = nfc(done or "")
    if not done:
        raise DomainError(
            _("Biện pháp “%(text)s”: chưa ghi kết quả thực hiện, không thể đóng.") % {"text": action.text}, field="done"
        )
    closed_on = closed_on or today()
    if closed_on > today():
        raise DomainError(_("Ngày hoàn thành không được ở tương lai."), field="closed_on")
    action.done, action.closed_on = done[:300], closed_on
    action.save(update_fields=["done", "closed_on"])
    return action
