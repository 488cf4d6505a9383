"""Disposal verbs: a proposal drafted (`disposal.propose` on its unit), its items listed with their
grounds, submitted, sent back or decided by an echelon above (`disposal.decide`), cancelled.

Every verb is one transaction on the proposal's row, locked; a form that saw an older version is
refused. The decision alone writes to the ledger, through the one writer: for each item "awaiting
disposal" (unless it already is) and "disposed", dated the decision's day, its number as the events'
document — all the items or, at the first refusal (named by its serial), none.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, require
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, Status
from materiel.ledger import services as ledger
from materiel.ledger.models import EventKind
from materiel.units.models import Unit
from materiel.workorders.models import CLOSED as ORDER_CLOSED
from materiel.workorders.models import OrderItem

from .models import HOLDING, DisposalLine, Ground, Line, Proposal, State, Step

# Items a proposal may list: those still held (or lost: a loss is written off by the same decision).
LISTABLE = (Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL, Status.LOST)
MAX_LINES = 2000
# Suggested for the next proposal: grade 5, or awaiting disposal for longer than this.
LONG_AWAITING = timedelta(days=365)


@dataclass(frozen=True)
class Wanted:
    """An item to list, with its ground and a note."""

    item: Item
    ground: Ground
    note: str = ""


def _locked(proposal: Proposal, version: int | None) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("unit").get(pk=proposal.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("Đề nghị vừa được người khác cập nhật: hãy tải lại trang."))
    return locked


def _move(proposal: Proposal, to: State, actor: User, note: str = "") -> None:
    Step.objects.create(proposal=proposal, from_state=proposal.state, to_state=to, by=actor, note=note[:300])
    proposal.state = to
    proposal.version += 1


def _require_decider(actor: User, proposal: Proposal) -> Unit:
    """The echelon that decides: an echelon above the proposing unit, within the actor's scope."""
    require(actor, "disposal.decide", unit=proposal.unit)
    if not actor.is_superuser and (actor.unit_id is None or actor.unit_id == proposal.unit_id):
        raise PermissionDenied(_("Đề nghị của đơn vị được cấp trên quyết định, không phải chính đơn vị."))
    if actor.unit is not None:
        return actor.unit
    return proposal.unit.parent or proposal.unit


@transaction.atomic
def create_proposal(*, actor: User, unit: Unit, number: str, title: str, proposed_on: date) -> Proposal:
    require(actor, "disposal.propose", unit=unit)
    number, title = nfc(number or "").strip(), nfc(title or "").strip()
    if not number:
        raise DomainError(_("Chưa nhập số tờ trình."), field="number")
    if not title:
        raise DomainError(_("Chưa nhập trích yếu."), field="title")
    if proposed_on > timezone.localdate():
        raise DomainError(_("Ngày đề nghị ở tương lai."), field="proposed_on")
    if unit.dissolved_on is not None:
        raise DomainError(_("Đơn vị %(unit)s đã giải thể.") % {"unit": unit.name}, field="unit")
    if Proposal.objects.filter(unit=unit, number=number).exists():
        raise DomainError(
            _("Đơn vị %(unit)s đã có tờ trình số %(number)s.") % {"unit": unit.name, "number": number}, field="number"
        )
    proposal = Proposal.objects.create(unit=unit, number=number, title=title, proposed_on=proposed_on, created_by=actor)
    Step.objects.create(proposal=proposal, to_state=State.DRAFT, by=actor)
    return proposal


def _check_item(item: Item, proposal: Proposal) -> None:
    """Refuse an item this proposal may not list, naming it."""
    name = f"{item.equipment_type.name} {item.serial}"
    if not item.unit.path.startswith(proposal.unit.path):
        raise DomainError(
            _("%(item)s không thuộc %(unit)s.") % {"item": name, "unit": proposal.unit.name}, field="items"
        )
    if item.status not in LISTABLE:
        raise DomainError(
            _("%(item)s đang ở tình trạng “%(status)s”: không thể đề nghị thanh lý.")
            % {"item": name, "status": item.get_status_display()},
            field="items",
        )
    if item.holder:
        raise DomainError(
            _("%(item)s đang cấp cho %(holder)s: thu hồi trước.") % {"item": name, "holder": item.holder}, field="items"
        )
    order = OrderItem.objects.filter(item=item).exclude(order__state__in=ORDER_CLOSED).select_related("order").first()
    if order is not None:
        raise DomainError(
            _("%(item)s đang nằm trong phiếu công việc %(number)s chưa xong.")
            % {"item": name, "number": order.order.number},
            field="items",
        )
    other = (
        Line.objects.filter(item=item, proposal__state__in=HOLDING)
        .exclude(proposal=proposal)
        .select_related("proposal")
        .first()
    )
    if other is not None:
        raise DomainError(
            _("%(item)s đã có trong đề nghị %(number)s.") % {"item": name, "number": other.proposal.number},
            field="items",
        )


@transaction.atomic
def add_lines(proposal: Proposal, wanted: Sequence[Wanted], *, actor: User, version: int | None = None) -> Proposal:
    """Add items to a proposal being drafted (or sent back): all of them or none."""
    proposal = _locked(proposal, version)
    require(actor, "disposal.propose", unit=proposal.unit)
    if not proposal.editable:
        raise DomainError(_("Đề nghị đã trình: không sửa được danh sách."), field="items")
    if not wanted:
        raise DomainError(_("Chưa chọn trang bị nào."), field="items")
    if proposal.lines.count() + len(wanted) > MAX_LINES:
        raise DomainError(_("Một đề nghị có nhiều nhất %(n)s trang bị.") % {"n": MAX_LINES}, field="items")
    seen: set[int] = set()
    refused = []  # every item that cannot be listed, named at once (nothing is added then)
    for line in wanted:
        try:
            if line.item.pk in seen or proposal.lines.filter(item=line.item).exists():
                raise DomainError(_("%(serial)s đã có trong đề nghị này.") % {"serial": line.item.serial})
            seen.add(line.item.pk)
            _check_item(line.item, proposal)
        except DomainError as error:
            refused.append(error.message)
    if refused:
        raise DomainError(" ".join(refused), field="items")
    Line.objects.bulk_create(
        Line(proposal=proposal, item=w.item, ground=w.ground, note=nfc(w.note or "").strip()[:300]) for w in wanted
    )
    proposal.version += 1
    proposal.save(update_fields=["version"])
    return proposal


@transaction.atomic
def remove_line(proposal: Proposal, line_id: int, *, actor: User, version: int | None = None) -> Proposal:
    proposal = _locked(proposal, version)
    require(actor, "disposal.propose", unit=proposal.unit)
    if not proposal.editable:
        raise DomainError(_("Đề nghị đã trình: không sửa được danh sách."), field="items")
    deleted, _rows = Line.objects.filter(proposal=proposal, pk=line_id).delete()
    if not deleted:
        raise DomainError(_("Dòng này không có trong đề nghị."), field="items")
    proposal.version += 1
    proposal.save(update_fields=["version"])
    return proposal


@transaction.atomic
def submit(proposal: Proposal, *, actor: User, version: int | None = None) -> Proposal:
    """The unit sends the proposal up (trình cấp trên)."""
    proposal = _locked(proposal, version)
    require(actor, "disposal.propose", unit=proposal.unit)
    if not proposal.editable:
        raise DomainError(_("Đề nghị đã trình."), field="state")
    if not proposal.lines.exists():
        raise DomainError(_("Đề nghị chưa có trang bị nào."), field="items")
    _move(proposal, State.SUBMITTED, actor)
    proposal.save(update_fields=["state", "version"])
    return proposal


@transaction.atomic
def send_back(proposal: Proposal, *, actor: User, reason: str, version: int | None = None) -> Proposal:
    """The echelon above returns the proposal to its unit, saying why."""
    proposal = _locked(proposal, version)
    _require_decider(actor, proposal)
    if proposal.state != State.SUBMITTED:
        raise DomainError(_("Chỉ trả lại được đề nghị đã trình."), field="state")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(_("Chưa ghi lý do trả lại."), field="reason")
    _move(proposal, State.RETURNED, actor, reason)
    proposal.save(update_fields=["state", "version"])
    return proposal


@transaction.atomic
def cancel(proposal: Proposal, *, actor: User, reason: str = "", version: int | None = None) -> Proposal:
    proposal = _locked(proposal, version)
    require(actor, "disposal.propose", unit=proposal.unit)
    if not proposal.editable:
        raise DomainError(_("Chỉ hủy được đề nghị đang lập hoặc bị trả lại."), field="state")
    _move(proposal, State.CANCELLED, actor, nfc(reason or "").strip())
    proposal.save(update_fields=["state", "version"])
    return proposal


@transaction.atomic
def decide(
    proposal: Proposal, *, actor: User, decision_number: str, decided_on: date, version: int | None = None
) -> Proposal:
    """The decision (quyết định): every listed item awaiting disposal, then disposed, in one write."""
    proposal = _locked(proposal, version)
    deciding_unit = _require_decider(actor, proposal)
    if proposal.state == State.DECIDED:
        raise DomainError(_("Đề nghị đã có quyết định số %(n)s.") % {"n": proposal.decision_number}, field="state")
    if proposal.state != State.SUBMITTED:
        raise DomainError(_("Chỉ quyết định được đề nghị đã trình."), field="state")
    decision_number = nfc(decision_number or "").strip()
    if not decision_number:
        raise DomainError(_("Chưa nhập số quyết định."), field="decision_number")
    if decided_on > timezone.localdate():
        raise DomainError(_("Ngày quyết định không được ở tương lai."), field="decided_on")
    if decided_on < proposal.proposed_on:
        raise DomainError(_("Ngày quyết định trước ngày đề nghị."), field="decided_on")
    lines = list(proposal.lines.select_related("item__equipment_type", "item__unit", "ground").order_by("id"))
    writer = ledger.Writer([line.item for line in lines], actor=actor)
    adopted = {item.pk: item for item in writer.items}
    for line in lines:
        item = adopted[line.item_id]
        try:
            _check_item(item, proposal)
            reason = line.ground.name + (f" – {line.note}" if line.note else "")
            facts = {"occurred_on": decided_on, "reason": reason[:300], "document_number": decision_number[:80]}
            if item.status != Status.AWAITING_DISPOSAL:
                writer.record(item, EventKind.AWAIT_DISPOSAL, **facts)
            writer.record(item, EventKind.DISPOSE, **facts)
        except DomainError as error:
            raise DomainError(f"{item.serial}: {error.message}", field="items") from None
    events = writer.save()
    DisposalLine.link(proposal, events)
    proposal.decision_number, proposal.decided_on, proposal.deciding_unit = decision_number, decided_on, deciding_unit
    _move(proposal, State.DECIDED, actor, decision_number)
    try:
        proposal.save(update_fields=["decision_number", "decided_on", "deciding_unit", "state", "version"])
    except IntegrityError:  # pragma: no cover - the row lock above serialises deciders
        raise ConflictError(_("Đề nghị vừa được người khác cập nhật: hãy tải lại trang.")) from None
    return proposal


# Reads, through the scoping door.


def visible_proposals(user):
    return Proposal.objects.visible_to(user).select_related("unit", "deciding_unit")


def proposals_of(user, unit: Unit):
    return visible_proposals(user).in_subtree(unit)


def may_decide(user: User, proposal: Proposal) -> bool:
    try:
        _require_decider(user, proposal)
    except PermissionDenied:
        return False
    return proposal.state == State.SUBMITTED


def suggestions(user, unit: Unit, *, today: date | None = None, limit: int = 200) -> list[Item]:
    """Items to put in the next proposal: grade 5, or awaiting disposal for over a year, not already
    in an open proposal, not issued, not in an open work order (the first `limit` of them)."""
    return list(suggested(user, unit, today=today)[:limit])


def suggested(user, unit: Unit, *, today: date | None = None):
    """The queryset behind `suggestions`, in its order: its count is how many there are in all."""
    today = today or timezone.localdate()
    held = Line.objects.filter(proposal__state__in=HOLDING).values("item_id")
    in_orders = OrderItem.objects.exclude(order__state__in=ORDER_CLOSED).values("item_id")
    base = (
        Item.objects.visible_to(user)
        .in_subtree(unit)
        .filter(status__in=LISTABLE, holder="")
        .exclude(pk__in=held)
        .exclude(pk__in=in_orders)
    )
    worn = base.filter(grade=5)
    waiting = base.filter(status=Status.AWAITING_DISPOSAL, last_event_on__lte=today - LONG_AWAITING)
    return (
        (worn | waiting)
        .select_related("equipment_type", "unit")
        .order_by("unit__path", "equipment_type__name", "serial")
    )


def items_by_serials(user, proposal: Proposal, serials: Iterable[str]) -> list[Item]:
    """The proposal's unit's items with these serials, each serial named when it is not found."""
    wanted = [s.strip() for s in serials if s.strip()]
    found = {
        item.serial: item
        for item in Item.objects.visible_to(user)
        .in_subtree(proposal.unit)
        .filter(serial__in=wanted)
        .exclude(status=Status.VOID)
        .select_related("equipment_type", "unit")
    }
    missing = [s for s in wanted if s not in found]
    if missing:
        raise DomainError(
            _("Không tìm thấy trang bị số hiệu %(serials)s ở %(unit)s.")
            % {"serials": ", ".join(missing[:10]), "unit": proposal.unit.name},
            field="serials",
        )
    return [found[s] for s in wanted]


def can_edit(user: User, proposal: Proposal) -> bool:
    return proposal.editable and allowed(user, "disposal.propose") and can_see_unit(user, proposal.unit)
