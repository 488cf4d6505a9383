"""Random event sequences: whatever is accepted replays to the stored projections, whatever is refused
changes nothing, and the state folded for "today" equals the register as it stands."""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from materiel.core.errors import DomainError
from materiel.equipment.models import Item, ItemMeter, Lot, Status
from materiel.ledger import asof, services
from materiel.ledger.models import Event, EventKind, Rollup
from materiel.ledger.rules import STATUS_MOVES
from materiel.ledger.verify import verify_ledger

START = date(2020, 1, 1)
STATUS_KINDS = sorted(STATUS_MOVES)

operation = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 4), st.integers(0, 6), st.integers(0, 3)),
    st.tuples(st.just("transfer"), st.integers(0, 5), st.integers(0, 6), st.integers(0, 3)),
    st.tuples(st.just("grade"), st.integers(0, 5), st.integers(0, 6), st.integers(0, 5)),
    st.tuples(st.just("status"), st.integers(0, 5), st.integers(0, 6), st.integers(0, len(STATUS_KINDS) - 1)),
    st.tuples(st.just("issue"), st.integers(0, 5), st.integers(0, 6), st.integers(0, 1)),
    st.tuples(st.just("meter"), st.integers(0, 5), st.integers(0, 6), st.integers(-50, 500)),
    st.tuples(st.just("reverse"), st.integers(0, 5), st.integers(0, 6), st.integers(0, 1)),
    st.tuples(st.just("lot"), st.integers(0, 2), st.integers(0, 6), st.integers(-300, 300)),
)


def snapshot():
    """Everything the ledger writes, to prove a refused event left no trace."""
    return (
        Event.objects.count(),
        sorted(Item.objects.values_list("id", "unit_id", "grade", "status", "holder", "version")),
        sorted(Lot.objects.values_list("id", "quantity")),
        sorted(
            Rollup.objects.exclude(quantity=0).values_list(
                "unit_id", "equipment_type_id", "grade", "status", "quantity"
            )
        ),
        sorted(ItemMeter.objects.values_list("item_id", "meter", "value")),
    )


def apply(world, op, serials, clock):
    kind, index, day_offset, arg = op
    # Mostly forward in time, sometimes backwards (which the rules must refuse).
    clock[0] = min(clock[0] + timedelta(days=(day_offset - 1) * 40), timezone.localdate())
    day = clock[0]
    units = [world.district_a1, world.district_a2, world.commune_a1, world.province_a]
    items = list(Item.objects.order_by("id"))
    actor = world.officer
    item = items[index % len(items)] if items else None
    if kind == "receipt":
        serials.append(f"S{len(serials)}")
        etype = world.truck if index % 2 else world.rifle
        return services.record_receipt(
            equipment_type=etype,
            serial=serials[index % len(serials)],
            unit=units[arg],
            grade=1 + index % 5,
            occurred_on=day,
            actor=actor,
        )
    if kind == "lot":
        lots = list(Lot.objects.order_by("id"))
        if arg > 0 or not lots:
            return services.record_lot_receipt(
                equipment_type=world.ammo,
                unit=units[index],
                grade=1,
                quantity=abs(arg) or 1,
                occurred_on=day,
                actor=actor,
            )
        return services.record_lot_issue(
            lots[index % len(lots)], quantity=-arg, occurred_on=day, actor=actor, reason="Tiêu hao"
        )
    if item is None:
        raise DomainError("no item", field="item")
    if kind == "transfer":
        return services.record_transfer(item, to_unit=units[arg], occurred_on=day, actor=actor, document_number="1/BB")
    if kind == "grade":
        return services.record_grade_change(item, grade=arg, reason="Kiểm tra", occurred_on=day, actor=actor)
    if kind == "status":
        return services.record_status_change(item, STATUS_KINDS[arg], occurred_on=day, actor=actor, reason="Căn cứ")
    if kind == "issue":
        if arg:
            return services.record_return(item, occurred_on=day, actor=actor)
        return services.record_issue(item, holder="Lò Văn Páo", occurred_on=day, actor=actor)
    if kind == "meter":
        current = ItemMeter.objects.filter(item=item, meter=item.equipment_type.meters[0]).first()
        value = (current.value if current else 0) + arg
        return services.record_meter_reading(
            item, meter=item.equipment_type.meters[0], value=value, occurred_on=day, actor=actor
        )
    events = list(Event.objects.filter(item=item).order_by("-id")[:2]) or [None]
    target = events[arg % len(events)]
    if target is None:
        raise DomainError("no event", field="event")
    return services.reverse_event(target, reason="Ghi nhầm", actor=actor)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    receipts=st.lists(
        st.tuples(st.just("receipt"), st.integers(0, 4), st.integers(1, 3), st.integers(0, 3)), min_size=1, max_size=4
    ),
    ops=st.lists(operation, min_size=8, max_size=40),
)
def test_random_sequences_replay_to_the_projections(world, receipts, ops):
    ops = receipts + ops
    with transaction.atomic():
        serials: list[str] = []
        clock = [START]
        accepted = refused = 0
        for op in ops:
            before = snapshot()
            try:
                apply(world, op, serials, clock)
                accepted += 1
            except DomainError:
                refused += 1
                assert snapshot() == before, f"refused {op} but something changed"
        event(f"accepted {min(accepted, 10) // 5 * 5}+")
        report = verify_ledger()
        assert report.ok, report.problems
        assert_today_fold_equals_register()
        transaction.set_rollback(True)


def assert_today_fold_equals_register():
    today = timezone.localdate()
    folded = Counter()
    for unit_id, cells in asof.counts_by_unit_on(today).items():
        for (type_id, grade, status), qty in cells.items():
            folded[(unit_id, type_id, grade, status)] += qty
    stored = Counter()
    for unit_id, type_id, grade, status in Item.objects.exclude(status=Status.VOID).values_list(
        "unit_id", "equipment_type_id", "grade", "status"
    ):
        stored[(unit_id, type_id, grade, status)] += 1
    for unit_id, type_id, grade, qty in Lot.objects.values_list("unit_id", "equipment_type_id", "grade", "quantity"):
        if qty:
            stored[(unit_id, type_id, grade, Status.IN_SERVICE.value)] += qty
    assert +folded == +stored


def test_reversal_kind_is_never_reversible(world, rifle_in_a1):
    receipt = Event.objects.get(item=rifle_in_a1)
    reversal = services.reverse_event(receipt, reason="Nhập trùng", actor=world.officer)[0]
    assert reversal.kind == EventKind.REVERSAL
    before = snapshot()
    try:
        services.reverse_event(reversal, reason="x", actor=world.officer)
    except DomainError as error:
        assert error.field == "event"
    assert snapshot() == before
