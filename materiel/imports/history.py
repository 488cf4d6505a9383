"""The ledger's own rules applied to each planned row before anything is written, and the rows of a
historical register dated before their unit was founded.

The preview, `--dry-run` and the commit's re-check all run `LedgerCheck`, which calls the same
`ledger.rules` functions the batch path (`LedgerBatch`) applies when writing: a file that passes the
preview does not fail at commit on a rule the preview could have seen.

A unit founded by a reorganisation (a regional defence command founded on 01/07/2025 in place of a
district command) holds equipment received years earlier by its predecessor. Two ways to record it:
- "transfer": the receipt at the unit that held the item on that date (the predecessor), then the
  transfer of the reorganisation day to the new unit;
- "founding-date": the receipt at the new unit on its founding date, the original date kept in the
  record (the item's date of entry into service and the event's reason).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from materiel.accounts.scoping import can_see_unit, require
from materiel.core.errors import DomainError
from materiel.equipment.models import Lot
from materiel.ledger import rules
from materiel.units.models import Unit, UnitChange, UnitChangeKind

POLICIES = ("transfer", "founding-date")


def fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def predecessors(unit: Unit, actor) -> tuple[list[Unit], str]:
    """The units that held what `unit` holds before its founding, as the reorganisation recorded them
    (merged into it, split into it, or the old parent of sub-units moved under it that day), and the
    document of that reorganisation. Failing those, the units dissolved that day beside it."""
    day = unit.founded_on
    found: dict[int, None] = {}  # ids, in the order met
    document = ""
    for change in UnitChange.objects.filter(occurred_on=day).select_related("unit"):
        details = change.details or {}
        merged = change.kind == UnitChangeKind.MERGE and details.get("into") == unit.pk
        split = change.kind == UnitChangeKind.SPLIT and unit.pk in (details.get("parts") or [])
        pk = None
        if merged or split:
            pk = change.unit_id
        elif change.kind == UnitChangeKind.MOVE and details.get("new_parent") == unit.pk:
            pk = details.get("old_parent")
        elif change.kind == UnitChangeKind.CREATE and change.unit_id == unit.pk:
            document = document or change.document
        if pk and pk != unit.pk:
            found.setdefault(pk, None)
            document = change.document or document
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(found))}
    candidates = [units[pk] for pk in found if pk in units]
    if not candidates:
        beside = Unit.objects.filter(dissolved_on=day, parent_id=unit.parent_id).exclude(pk=unit.pk)
        candidates = list(beside.order_by("name"))
    return [u for u in candidates if can_see_unit(actor, u)], document


@dataclass
class Early:
    """The rows of one unit dated before its founding."""

    unit: Unit
    rows: int = 0
    first_row: int = 0
    candidates: list[Unit] = field(default_factory=list)
    predecessor: Unit | None = None
    document: str = ""


class LedgerCheck:
    """Each planned row checked against the ledger's rules, placed by the historical-date policy."""

    def __init__(self, actor, *, policy: str | None = None, chosen: dict[str, str] | None = None, today: date):
        self.actor = actor
        self.policy = policy
        self.chosen = chosen or {}  # unit code -> code of the unit that held its equipment before
        self.today = today
        self.early: dict[int, Early] = {}
        self._lots: dict[tuple, date | None] = {}

    def _early(self, unit: Unit, row: int) -> Early:
        early = self.early.get(unit.pk)
        if early is None:
            candidates, document = predecessors(unit, self.actor)
            early = self.early[unit.pk] = Early(unit, first_row=row, candidates=candidates, document=document)
            code = self.chosen.get(unit.code)
            if code:
                chosen = Unit.objects.filter(code=code).first()
                early.predecessor = chosen if chosen is not None and can_see_unit(self.actor, chosen) else None
            elif len(candidates) == 1:
                early.predecessor = candidates[0]
        early.rows += 1
        return early

    def check(self, row) -> tuple[str, str] | None:
        """Place `row` (moving its date or its unit as the policy says) and apply the ledger's rules:
        None, or (field, message) for the first rule it breaks."""
        unit = row.unit
        if unit.founded_on and row.received_on < unit.founded_on:
            early = self._early(unit, row.row)
            if self.policy is None:
                return "received_on", _(
                    "%(unit)s thành lập ngày %(founded)s, sau ngày tiếp nhận %(day)s: chọn cách ghi sổ lịch sử "
                    "(tiếp nhận tại đơn vị quản lý trước đó rồi điều chuyển ngày %(founded)s, hoặc lấy ngày "
                    "thành lập làm ngày tiếp nhận)."
                ) % {"unit": unit.name, "founded": fmt(unit.founded_on), "day": fmt(row.received_on)}
            if self.policy == "founding-date":
                row.original_on, row.received_on = row.received_on, unit.founded_on
            else:
                if early.predecessor is None:
                    return "received_on", _(
                        "Chọn đơn vị quản lý trang bị trước ngày %(founded)s thành lập %(unit)s."
                    ) % {"unit": unit.name, "founded": fmt(unit.founded_on)}
                row.held_by, row.transfer_on = early.predecessor, unit.founded_on
                row.transfer_document = early.document or _("Tổ chức lại đơn vị ngày %(day)s") % {
                    "day": fmt(unit.founded_on)
                }
        try:
            self._rules(row)
        except DomainError as error:
            return ("unit" if error.field in ("unit", "to_unit") else "received_on"), error.message
        return None

    def _rules(self, row) -> None:
        """The rules LedgerBatch applies to the receipt (and the transfer) this row becomes."""
        at = row.held_by or row.unit
        require(self.actor, "ledger.record", unit=at)
        if row.kind == "item":
            state = rules.receipt(unit=at, grade=row.grade, occurred_on=row.received_on, today=self.today)
        else:
            rules.check_quantity(row.quantity)
            rules.check_grade(row.grade)
            rules.check_date(None, row.received_on, self.today)
            rules.check_unit_open(at, row.received_on)
            self._lot_date(row, at, row.received_on)
        if row.held_by is not None:
            require(self.actor, "ledger.record", unit=row.unit)
            if row.kind == "item":
                rules.transfer(
                    state,
                    to_unit=row.unit,
                    occurred_on=row.transfer_on,
                    today=self.today,
                    document_number=row.transfer_document,
                )
            else:
                rules.check_unit_open(row.unit, row.transfer_on, field="to_unit")
                self._lot_date(row, at, row.transfer_on)
                self._lot_date(row, row.unit, row.transfer_on)

    def _lot_date(self, row, unit: Unit, on: date) -> None:
        """A lot's events are kept in date order: against the register and the rows before this one."""
        key = (row.equipment_type.pk, unit.pk, row.lot_number, row.grade)
        if key not in self._lots:
            lot = Lot.objects.filter(
                equipment_type=row.equipment_type, unit=unit, lot_number=row.lot_number, grade=row.grade
            ).first()
            self._lots[key] = lot.last_event_on if lot else None
        rules.check_lot_date(on, self._lots[key], self.today)
        self._lots[key] = max(on, self._lots[key] or on)
