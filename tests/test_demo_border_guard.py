"""The demo's 2025 Border Guard change: on its date each provincial Border Guard command hands its
posts, depot and equipment over to a Ban Chỉ huy BĐBP under the provincial military command, and is
dissolved; the tree and the counts of any earlier day stay as they were."""

from datetime import date, timedelta

from materiel.demo import seed as demo
from materiel.equipment.models import HOLDINGS, Item, Lot, Status
from materiel.ledger import coefficients
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger
from materiel.units.models import Unit, UnitChange
from materiel.units.tree import PastTree

TODAY = date(2026, 11, 1)
DAY = demo.BORDER_GUARD_HANDOVER
BEFORE = DAY - timedelta(days=1)
PROVINCES = ("lci", "lcu", "dbi")


def seed(items: int, seed: int) -> None:
    demo.seed(items=items, seed=seed, progress=lambda _text: None, today=TODAY)


def held_on(day: date, unit_ids: set[int]) -> set[int]:
    """Items held by `unit_ids` at the end of `day`, replayed from each item's events."""
    last: dict[int, tuple[int, str]] = {}
    events = Event.objects.filter(item__isnull=False, occurred_on__lte=day).order_by("occurred_on", "id")
    for item_id, unit_id, status in events.values_list("item_id", "unit_id", "status_after"):
        last[item_id] = (unit_id, status)
    return {item_id for item_id, (unit_id, status) in last.items() if unit_id in unit_ids and status in HOLDINGS}


def test_each_border_guard_command_is_handed_over_and_dissolved_on_its_date(db):
    seed(300, 11)
    assert verify_ledger().ok
    before, after = PastTree(BEFORE), PastTree(DAY)
    for code in PROVINCES:
        guard, board = Unit.objects.get(code=f"{code}-bdbp"), Unit.objects.get(code=f"{code}-bchbp")
        province = Unit.objects.get(code=f"{code}-chqs")
        posts = list(Unit.objects.filter(kind__code="border-post", code__startswith=f"{code}-don"))
        depot = Unit.objects.get(code=f"{code}-bdbp-kho")
        assert len(posts) == 8
        # Now: the old command dissolved on the day; the Ban Chỉ huy under the provincial command holds
        # the posts and the depot.
        assert guard.dissolved_on == DAY and guard.kind.code == "provincial-border-guard"
        assert board.founded_on == DAY and board.dissolved_on is None and board.kind.code == "border-guard-command"
        assert board.parent == province and board.path.startswith(province.path)
        assert all(u.parent == board and u.path.startswith(board.path) for u in (*posts, depot))
        # The tree of the day before still shows the old command over its posts, under the region.
        assert before.exists(guard.pk) and not before.exists(board.pk)
        assert before.parent[guard.pk] == province.parent_id
        assert before.subtree(guard.pk) == {guard.pk, depot.pk, *(p.pk for p in posts)}
        assert not before.subtree(province.pk) & before.subtree(guard.pk)
        # From the day: the old command is gone, its posts and depot are under the Ban Chỉ huy.
        assert not after.exists(guard.pk)
        assert after.subtree(board.pk) == {board.pk, depot.pk, *(p.pk for p in posts)}
        assert board.pk in after.subtree(province.pk)
        # Recorded as reorganisation steps, each with its date.
        changes = set(UnitChange.objects.filter(occurred_on=DAY).values_list("kind", "unit_id"))
        assert {("create", board.pk), ("dissolve", guard.pk)} <= changes
        assert {("move", u.pk) for u in (*posts, depot)} <= changes
        # The old command's own equipment left by ledger transfers on the day; nothing is left on it.
        handed = Event.objects.filter(kind=EventKind.TRANSFER, occurred_on=DAY, from_unit=guard, to_unit=board)
        lots = Event.objects.filter(kind=EventKind.LOT_TRANSFER, occurred_on=DAY, from_unit=guard, to_unit=board)
        assert handed.exists() and lots.exists()
        assert not Event.objects.filter(unit=guard, occurred_on__gt=DAY).exists()
        assert not Item.objects.filter(unit=guard).exclude(status__in=[Status.DISPOSED, Status.VOID]).exists()
        assert not Lot.objects.filter(unit=guard, quantity__gt=0).exists()


def test_province_counts_before_and_after_the_handover_agree_with_the_ledger(db):
    seed(250, 4)
    before, after = PastTree(BEFORE), PastTree(DAY)
    for code in PROVINCES:
        guard, board = Unit.objects.get(code=f"{code}-bdbp"), Unit.objects.get(code=f"{code}-bchbp")
        province = Unit.objects.get(code=f"{code}-chqs")
        guard_units, board_units = before.subtree(guard.pk), after.subtree(board.pk)
        province_before, province_after = before.subtree(province.pk), after.subtree(province.pk)
        assert province_after == province_before | board_units
        # What the dashboard shows (snapshots or the fold) is what the events say.
        for unit, day, units in (
            (guard, BEFORE, guard_units),
            (province, BEFORE, province_before),
            (board, DAY, board_units),
            (province, DAY, province_after),
        ):
            assert coefficients.summarise(unit, day).overall.total == len(held_on(day, units)), (unit.code, day)
        assert coefficients.summarise(guard, DAY).overall.total == 0
        # Every item the Border Guard held the day before and still holds is now in the province's
        # subtree, under the Ban Chỉ huy; anything new there came with an event of the day.
        guard_held = held_on(BEFORE, guard_units)
        assert guard_held, code
        still_held = guard_held & held_on(DAY, set(after.parent))
        board_held = held_on(DAY, board_units)
        assert still_held <= board_held <= held_on(DAY, province_after)
        arrived = board_held - guard_held
        assert all(Event.objects.filter(item_id=i, occurred_on=DAY).exists() for i in arrived)
        assert held_on(DAY, province_before) | board_held == held_on(DAY, province_after)
