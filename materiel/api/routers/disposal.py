"""Removal and disposal (loại khỏi biên chế, thanh lý): a unit's proposals, their items and grounds,
submitting, sending back and deciding. The same services as the pages (materiel.disposal)."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.core.errors import DomainError
from materiel.disposal import services
from materiel.disposal.models import Ground, Proposal, State
from materiel.equipment.models import Item

from ..common import Day, Id, Text, Version, unit_for
from ..errors import responses

router = Router(tags=["Thanh lý"])


class GroundOut(Schema):
    id: int
    code: str
    name: str


class LineOut(Schema):
    id: int
    item: int
    serial: str
    type: str
    unit: str
    ground: str
    note: str


class DisposalProposalOut(Schema):
    id: int
    unit: str
    number: str
    title: str
    proposed_on: date
    state: str
    decision_number: str
    decided_on: date | None = None
    version: int
    lines: list[LineOut]
    events: list[int]  # the ledger events the decision wrote (awaiting disposal, disposed)


def proposal_out(proposal: Proposal) -> dict:
    lines = proposal.lines.select_related("item__equipment_type", "item__unit", "ground").order_by("id")
    return {
        "id": proposal.pk,
        "unit": proposal.unit.code,
        "number": proposal.number,
        "title": proposal.title,
        "proposed_on": proposal.proposed_on,
        "state": proposal.state,
        "decision_number": proposal.decision_number,
        "decided_on": proposal.decided_on,
        "version": proposal.version,
        "lines": [
            {
                "id": line.pk,
                "item": line.item_id,
                "serial": line.item.serial,
                "type": line.item.equipment_type.code,
                "unit": line.item.unit.code,
                "ground": line.ground.code,
                "note": line.note,
            }
            for line in lines
        ],
        "events": list(proposal.event_lines.order_by("position").values_list("event_id", flat=True)),
    }


def _proposal(request, proposal_id: int) -> Proposal:
    return get_object_or_404(services.visible_proposals(request.user), pk=proposal_id)


@router.get("/disposal/grounds", response=responses(list[GroundOut]), summary="Các căn cứ loại khỏi biên chế")
def grounds(request):
    return [{"id": g.pk, "code": g.code, "name": g.name} for g in Ground.objects.all()]


class ProposalFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    state: State | None = None


@router.get(
    "/disposal/proposals",
    response=responses(list[DisposalProposalOut]),
    summary="Các đề nghị thanh lý của một cây đơn vị",
)
def list_proposals(request, filters: Query[ProposalFilters]):
    rows = services.proposals_of(request.user, unit_for(request, filters.unit))
    if filters.state:
        rows = rows.filter(state=filters.state)
    return [proposal_out(p) for p in rows[:200]]


@router.get(
    "/disposal/proposals/{proposal_id}", response=responses(DisposalProposalOut), summary="Một đề nghị thanh lý"
)
def get_proposal(request, proposal_id: Id):
    return proposal_out(_proposal(request, proposal_id))


class ProposalIn(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    number: Text(40)  # type: ignore[valid-type]
    title: Text(200)  # type: ignore[valid-type]
    proposed_on: Day


@router.post("/disposal/proposals", response=responses(DisposalProposalOut), summary="Lập đề nghị thanh lý")
def create_proposal(request, payload: ProposalIn):
    proposal = services.create_proposal(
        actor=request.user,
        unit=unit_for(request, payload.unit),
        number=payload.number,
        title=payload.title,
        proposed_on=payload.proposed_on,
    )
    return proposal_out(proposal)


class LineIn(Schema):
    item: Id
    ground: Text(40)  # type: ignore[valid-type]
    note: Text(300) = ""  # type: ignore[valid-type]


class LinesIn(Schema):
    lines: list[LineIn] = Field(..., min_length=1, max_length=services.MAX_LINES)
    version: Version | None = None


@router.post(
    "/disposal/proposals/{proposal_id}/lines",
    response=responses(DisposalProposalOut),
    summary="Thêm trang bị vào đề nghị",
)
def add_lines(request, proposal_id: Id, payload: LinesIn):
    proposal = _proposal(request, proposal_id)
    grounds = {g.code: g for g in Ground.objects.all()}
    wanted = []
    for n, line in enumerate(payload.lines):
        item = get_object_or_404(
            Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=line.item
        )
        if line.ground not in grounds:
            message = _("lines[%(n)s]: căn cứ “%(ground)s” không có trong danh mục.") % {"n": n, "ground": line.ground}
            raise DomainError(message, field="ground")
        wanted.append(services.Wanted(item, grounds[line.ground], line.note))
    return proposal_out(services.add_lines(proposal, wanted, actor=request.user, version=payload.version))


class VersionIn(Schema):
    version: Version | None = None


@router.post(
    "/disposal/proposals/{proposal_id}/submit",
    response=responses(DisposalProposalOut),
    summary="Trình đề nghị lên cấp trên",
)
def submit(request, proposal_id: Id, payload: VersionIn):
    return proposal_out(services.submit(_proposal(request, proposal_id), actor=request.user, version=payload.version))


class SendBackIn(Schema):
    reason: Text(300)  # type: ignore[valid-type]
    version: Version | None = None


@router.post(
    "/disposal/proposals/{proposal_id}/return",
    response=responses(DisposalProposalOut),
    summary="Cấp trên trả lại đề nghị",
)
def send_back(request, proposal_id: Id, payload: SendBackIn):
    proposal = services.send_back(
        _proposal(request, proposal_id), actor=request.user, reason=payload.reason, version=payload.version
    )
    return proposal_out(proposal)


class DecisionIn(Schema):
    decision_number: Text(80)  # type: ignore[valid-type]
    decided_on: Day
    version: Version | None = None


@router.post(
    "/disposal/proposals/{proposal_id}/decision",
    response=responses(DisposalProposalOut),
    summary="Ghi quyết định thanh lý: các sự kiện thanh lý trong một lần ghi",
)
def decide(request, proposal_id: Id, payload: DecisionIn):
    proposal = services.decide(
        _proposal(request, proposal_id),
        actor=request.user,
        decision_number=payload.decision_number,
        decided_on=payload.decided_on,
        version=payload.version,
    )
    return proposal_out(proposal)
