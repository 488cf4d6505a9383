"""`materiel verify`: prove the ledger is intact and every projection equals its replay.

Checks, in one pass over the events in id order:
- each event's hash matches its content, and links to the previous hash of its stream;
- each event's "before" snapshot equals the state the previous events left (no impossible history);
then compares the replayed items, lots, meters and rollups with the stored projections,
re-computes every seal (HMAC with the key file; the old unkeyed ones with SHA-256) and compares the
seals with the seal file outside the database. With `database=True` (the command, and a restore) it
first asks the database engine to check its own files (`core.integrity`): a damaged page or index
the hashes cannot see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from materiel.core.integrity import check_database
from materiel.equipment.models import Item, Lot, Status
from materiel.units.models import Unit

from . import kinds, sealfile
from .hashing import GENESIS, event_hash, keyed_seal_digest, seal_digest
from .models import Event, LedgerSeal, Rollup, SealAlgorithm
from .rollups import Deltas
from .sealkey import SealKeyError, key_id, load_key

# item id -> (unit, grade, status, holder, kit) after its events replayed.
ItemsReplayed = dict[int | None, tuple[Any, ...]]


@dataclass
class Report:
    events: int = 0
    items: int = 0
    lots: int = 0
    seals: int = 0
    database: str = ""  # the engine check that ran (`core.integrity`), empty when none did
    unkeyed: int = 0  # seals made before HMAC: anyone could have recomputed them
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < 1000:
            self.problems.append(text)


def verify_ledger(*, database: bool = False) -> Report:
    report = Report()
    if database:
        check = check_database()
        report.database = check.method
        for problem in check.problems:
            report.problem(problem)
    heads: dict[str, str] = {}
    items: ItemsReplayed = {}
    lots: dict[int, int] = defaultdict(int)
    reversed_ids = set(Event.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True))
    # The kit condition before each event that changed it, for the reversal that puts it back.
    kit_before: dict[int, str] = {}
    # What the kinds keep besides the states (the meters, ...): replayed and compared by their own code.
    projections = kinds.projections()
    for projection in projections:
        projection.reset()

    for event in Event.objects.order_by("id").iterator(chunk_size=5000):
        report.events += 1
        if event_hash(event) != event.hash:
            report.problem(f"Sự kiện #{event.pk}: nội dung không khớp mã băm (đã bị sửa).")
        expected_prev = heads.get(event.stream, GENESIS)
        if event.prev_hash != expected_prev:
            report.problem(f"Sự kiện #{event.pk}: chuỗi băm của {event.stream} bị đứt (thiếu hoặc chèn sự kiện).")
        heads[event.stream] = event.hash
        if kinds.find(event.kind) is None:
            report.problem(f"Sự kiện #{event.pk}: loại “{event.kind}” không có trong danh mục loại sự kiện.")
        if event.item_id:
            _replay_item(event, items, kit_before, report)
        elif event.lot_id:
            lots[event.lot_id] += event.quantity or 0
        for projection in projections:
            projection.replay(event, reversed_ids)

    _compare_items(items, heads, report)
    _compare_lots(lots, heads, report)
    for projection in projections:
        projection.compare(report)
    _compare_rollups(items, lots, report)
    _check_seals(report)
    return report


def _replay_item(event: Event, items: ItemsReplayed, kit_before: dict[int, str], report: Report) -> None:
    """The item's state after `event`. Completeness is not in the event's columns: a `kit` event
    carries the condition before and after it in its details, and its reversal puts back the one before."""
    previous = items.get(event.item_id)
    kit = previous[4] if previous is not None else ""
    before = (event.unit_before_id, event.grade_before, event.status_before, event.holder_before)
    if previous is None:
        kind = kinds.find(event.kind)
        if kind is None or not kind.creates:
            report.problem(f"Sự kiện #{event.pk}: trang bị chưa tiếp nhận đã có sự kiện.")
    elif before != previous[:4] or event.details.get("kit_before", kit) != kit:
        report.problem(f"Sự kiện #{event.pk}: trạng thái trước sự kiện không khớp với lịch sử của trang bị.")
    if "kit_before" in event.details:
        kit_before[event.pk] = event.details["kit_before"]
        kit = event.details.get("kit", "")
    elif event.reverses_id in kit_before:
        kit = kit_before[event.reverses_id]
    items[event.item_id] = (event.unit_id, event.grade_after, event.status_after, event.holder_after, kit)


def _compare_items(items: ItemsReplayed, heads: dict[str, str], report: Report) -> None:
    seen = set()
    for pk, unit_id, grade, status, holder, kit, head in Item.objects.values_list(
        "id", "unit_id", "grade", "status", "holder", "kit", "chain_head"
    ).iterator(chunk_size=5000):
        report.items += 1
        seen.add(pk)
        replayed = items.get(pk)
        if replayed is None:
            report.problem(f"Trang bị #{pk}: có trong sổ nhưng không có sự kiện nào.")
            continue
        if replayed != (unit_id, grade, status, holder, kit):
            stored = (unit_id, grade, status, holder, kit)
            report.problem(f"Trang bị #{pk}: trạng thái lưu {stored} khác kết quả phát lại {replayed}.")
        if heads.get(f"item:{pk}") != head:
            report.problem(f"Trang bị #{pk}: đầu chuỗi băm không khớp (sự kiện cuối bị xóa hoặc thay).")
    for item_id in set(items) - seen:
        report.problem(f"Trang bị #{item_id}: có sự kiện nhưng không có trong sổ.")


def _compare_lots(lots: dict[int, int], heads: dict[str, str], report: Report) -> None:
    for pk, quantity, head in Lot.objects.values_list("id", "quantity", "chain_head"):
        report.lots += 1
        if lots.get(pk, 0) != quantity:
            report.problem(f"Lô #{pk}: số lượng lưu {quantity} khác kết quả phát lại {lots.get(pk, 0)}.")
        if heads.get(f"lot:{pk}", "") != head and not (head == "" and f"lot:{pk}" not in heads):
            report.problem(f"Lô #{pk}: đầu chuỗi băm không khớp.")


def _compare_rollups(items: ItemsReplayed, lots: dict[int, int], report: Report) -> None:
    """Rollups recomputed from the replayed states (not from the projections, which may be wrong)."""
    paths = dict(Unit.objects.values_list("id", "path"))
    item_types = dict(Item.objects.values_list("id", "equipment_type_id"))
    lot_cells = {
        pk: (unit_id, type_id, grade)
        for pk, unit_id, type_id, grade in Lot.objects.values_list("id", "unit_id", "equipment_type_id", "grade")
    }
    deltas = Deltas()
    for item_id, (unit_id, grade, status, _holder, kit) in items.items():
        if item_id in item_types:
            deltas.add(paths[unit_id], item_types[item_id], grade, status, 1, kit)
    for lot_id, quantity in lots.items():
        if lot_id in lot_cells:
            unit_id, type_id, grade = lot_cells[lot_id]
            deltas.add(paths[unit_id], type_id, grade, Status.IN_SERVICE, quantity)
    expected = deltas.nonzero()
    stored = {
        (u, t, g, s): tuple(counts)
        for u, t, g, s, *counts in Rollup.objects.exclude(quantity=0, kit_damaged=0, kit_missing=0).values_list(
            "unit_id", "equipment_type_id", "grade", "status", "quantity", "kit_damaged", "kit_missing"
        )
    }
    if expected != stored:
        wrong = [k for k in set(expected) | set(stored) if expected.get(k) != stored.get(k)]
        for key in wrong[:50]:
            report.problem(f"Số tổng hợp {key}: lưu {stored.get(key)} khác tính lại {expected.get(key)}.")
        if len(wrong) > 50:
            report.problem(f"... và {len(wrong) - 50} ô tổng hợp khác.")


def _check_seals(report: Report) -> None:
    try:
        key: bytes | None = load_key()  # never created here: a missing key is a finding
        key_problem = ""
    except SealKeyError as e:
        key, key_problem = None, str(e)
    prev, next_first, keyed_seen = GENESIS, 1, False
    seals = list(LedgerSeal.objects.order_by("last_event_id"))
    for seal in seals:
        report.seals += 1
        where = f"Niêm phong sự kiện #{seal.first_event_id}–#{seal.last_event_id}"
        values = list(
            Event.objects.filter(id__gte=seal.first_event_id, id__lte=seal.last_event_id)
            .order_by("id")
            .values_list("hash", flat=True)
        )
        if seal.first_event_id != next_first:
            report.problem(f"{where}: không nối tiếp niêm phong trước (bắt đầu từ #{next_first}).")
        intact = seal.prev_digest == prev and len(values) == seal.event_count
        if seal.algorithm == SealAlgorithm.SHA256:
            report.unkeyed += 1
            if keyed_seen:
                report.problem(f"{where}: niêm phong không khóa sau niêm phong có khóa (bị thay).")
            intact = intact and seal_digest(prev, values) == seal.digest
        elif seal.algorithm == SealAlgorithm.HMAC_SHA256:
            keyed_seen = True
            if key is None:
                if key_problem:
                    report.problem(f"{key_problem} Không kiểm tra được các niêm phong có khóa.")
                    key_problem = ""
            elif seal.key_id != key_id(key):
                report.problem(f"{where}: làm bằng khóa {seal.key_id or '?'}, không phải khóa hiện có {key_id(key)}.")
            else:
                digest = keyed_seal_digest(
                    key,
                    first=seal.first_event_id,
                    last=seal.last_event_id,
                    count=seal.event_count,
                    prev_digest=prev,
                    hashes=values,
                )
                intact = intact and digest == seal.digest
        else:
            report.problem(f"{where}: thuật toán lạ {seal.algorithm!r}.")
        if not intact:
            report.problem(f"{where}: không khớp (sự kiện bị xóa, thêm hoặc sửa).")
        prev, next_first = seal.digest, seal.last_event_id + 1
    _check_seal_file(seals, report)


def _check_seal_file(seals: list[LedgerSeal], report: Report) -> None:
    """Every keyed seal has its line in the seal file with the same digest, and every line its seal.

    The file is outside the database: a writer who rewrites events and seals alike, or deletes the
    newest seals with their events, leaves the file telling otherwise."""
    path = sealfile.file_path()
    lines, problems = sealfile.read()
    for text in problems:
        report.problem(text)
    keyed = [s for s in seals if s.algorithm != SealAlgorithm.SHA256]
    if keyed and not path.exists():
        report.problem(f"Không có tệp niêm phong {path}: không đối chiếu được {len(keyed)} niêm phong.")
        return
    by_range = {(line.first_event_id, line.last_event_id): line for line in lines}
    for seal in seals:
        line = by_range.get((seal.first_event_id, seal.last_event_id))
        where = f"Niêm phong sự kiện #{seal.first_event_id}–#{seal.last_event_id}"
        if line is None:
            if seal.algorithm != SealAlgorithm.SHA256:  # the old unkeyed seals were never written to it
                report.problem(f"{where}: không có trong tệp niêm phong {path}.")
        elif line.digest != seal.digest or line.event_count != seal.event_count:
            report.problem(f"{where}: mã niêm phong khác với tệp niêm phong (dòng {line.number}).")
    in_database = {(s.first_event_id, s.last_event_id) for s in seals}
    for line in lines:
        if (line.first_event_id, line.last_event_id) not in in_database:
            report.problem(
                f"Tệp niêm phong, dòng {line.number}: niêm phong sự kiện #{line.first_event_id}–"
                f"#{line.last_event_id} không có trong cơ sở dữ liệu."
            )
