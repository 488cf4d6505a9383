from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from materiel.ledger import kinds, services
from materiel.ledger.models import Event

from ..common import MAX_LIMIT, Day, Id, Limit, Reason, keyset, unit_for
from ..errors import responses

router = Router(tags=["Sự kiện"])


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str | None = None
    occurred_on: date
    masked: bool = False
    reversed: bool = False
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    unit: str | None = None
    from_unit: str | None = None
    to_unit: str | None = None
    item: int | None = None
    lot: int | None = None
    grade_before: int | None = None
    grade_after: int | None = None
    status_before: str | None = None
    status_after: str | None = None
    holder_before: str | None = None
    holder_after: str | None = None
    quantity: int | None = None
    document_number: str | None = None
    reason: str | None = None
    details: dict | None = None  # the kind's typed facts (ledger.kinds): a meter reading's meter and value...
    reverses: int | None = None


def event_out(event: Event, *, masked: bool = False, reversed_ids=()) -> dict:
    """An event as the API shows it; what another subtree recorded is masked to its date and kind."""
    if masked:
        return {
            "id": event.pk,
            "kind": event.kind,
            "kind_label": kinds.label(event.kind),
            "occurred_on": event.occurred_on,
            "masked": True,
        }
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": kinds.label(event.kind),
        "occurred_on": event.occurred_on,
        "reversed": event.pk in reversed_ids,
        "recorded_at": event.recorded_at,
        "recorded_by": event.recorded_by.username,
        "unit": event.unit.code,
        "from_unit": event.from_unit.code if event.from_unit is not None else None,
        "to_unit": event.to_unit.code if event.to_unit is not None else None,
        "item": event.item_id,
        "lot": event.lot_id,
        "grade_before": event.grade_before,
        "grade_after": event.grade_after,
        "status_before": event.status_before or None,
        "status_after": event.status_after or None,
        "holder_before": event.holder_before or None,
        "holder_after": event.holder_after or None,
        "quantity": event.quantity,
        "document_number": event.document_number,
        "reason": event.reason,
        "details": event.details or None,
        "reverses": event.reverses_id,
    }


class EventPage(Schema):
    results: list[EventOut]
    next: int | None


class EventFilters(Schema):
    unit: str | None = None
    kind: str | None = None
    since: Day | None = None
    until: Day | None = None
    after: Id | None = None
    limit: Limit = 100


def _related(queryset):
    return queryset.select_related("recorded_by", "unit", "from_unit", "to_unit")


@router.get("/events", response=responses(EventPage), summary="Sổ sự kiện của một cây đơn vị")
def list_events(request, filters: Query[EventFilters]):
    root = unit_for(request, filters.unit)
    events = _related(Event.objects.visible_to(request.user).in_subtree(root))
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.since:
        events = events.filter(occurred_on__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_on__lte=filters.until)
    rows, cursor = keyset(events, filters.after, min(filters.limit, MAX_LIMIT))
    reversed_ids = set(Event.objects.filter(reverses__in=rows).values_list("reverses_id", flat=True))
    return {"results": [event_out(e, reversed_ids=reversed_ids) for e in rows], "next": cursor}


@router.get("/events/{event_id}", response=responses(EventOut), summary="Một sự kiện")
def get_event(request, event_id: Id):
    event = get_object_or_404(_related(Event.objects.visible_to(request.user)), pk=event_id)
    return event_out(
        event, reversed_ids=set(Event.objects.filter(reverses=event).values_list("reverses_id", flat=True))
    )


class ReverseIn(Schema):
    reason: Reason


@router.post("/events/{event_id}/reverse", response=responses(list[EventOut]), summary="Hủy một sự kiện ghi nhầm")
def reverse(request, event_id: Id, payload: ReverseIn):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=event_id)
    written = services.reverse_event(event, reason=payload.reason, actor=request.user)
    return [event_out(e) for e in _related(Event.objects.filter(pk__in=[w.pk for w in written]))]
