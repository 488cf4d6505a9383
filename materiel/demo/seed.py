"""A realistic, deterministic demo data set: a military region, three border provinces, 15 years.

The unit tree is built through the reorganisation services (so the 2025 reforms are recorded like
any real one: the provincial Border Guard commands handed over to the provincial military commands
on 28/6/2025, the district commands dissolved on 1/7/2025), and equipment histories go through the
ledger's batch path, which applies the same rules as the single-event services. Same seed, same data.
"""

import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from materiel.accounts.models import Role, User
from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType
from materiel.core import statistics
from materiel.counts.demo import seed_counts
from materiel.documents.demo import seed_issuing_bodies
from materiel.equipment.models import Purpose, Status
from materiel.inspections.demo import seed_inspections
from materiel.ledger import reorganisation as reorg
from materiel.ledger.batch import LEDGER_TABLES, LedgerBatch
from materiel.ledger.models import EventKind
from materiel.ledger.sealing import seal_ledger
from materiel.ledger.snapshots import build as build_snapshots
from materiel.maintenance.demo import Upkeep, create_plans, seed_maintenance_plans
from materiel.people.demo import seed_people
from materiel.resolutions.demo import seed_resolutions
from materiel.storage.demo import seed_storage
from materiel.units.models import Unit, UnitKind, UnitVersion
from materiel.workorders.demo import seed_repair_orders

from .kits import load_kits, seed_kits
from .reference import ensure_reference_data

DATA = Path(__file__).resolve().parent / "data"
START = date(2010, 1, 1)
REFORM = date(2025, 7, 1)  # district commands dissolved, regional defence commands founded
# The provincial Border Guard commands dissolved, each replaced by a Ban Chỉ huy BĐBP under the
# provincial military command: handed over on 28/6/2025 (NQ 866-NQ/QUTW of 14/6/2025).
BORDER_GUARD_HANDOVER = date(2025, 6, 28)
DISTRICT_REASON = "Tổ chức lại, giải thể Ban CHQS huyện"
BORDER_GUARD_REASON = "Bàn giao Bộ Chỉ huy BĐBP tỉnh về Bộ Chỉ huy Quân sự tỉnh"
BORDER_GUARD_DOCUMENT = "Nghị quyết 866-NQ/QUTW ngày 14/6/2025 của Quân ủy Trung ương"
DEMO_PASSWORD = "matkhau-demo"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Giàng", "Vàng", "Sùng", "Lù"]
GIVEN = [
    "Văn Hùng",
    "Văn Nam",
    "Đức Anh",
    "Văn Dũng",
    "Minh Tuấn",
    "A Páo",
    "Seo Lử",
    "Văn Thắng",
    "Quốc Huy",
    "Văn Long",
    "Xuân Trường",
    "Văn Sơn",
    "Hữu Nghĩa",
    "A Dế",
]


@dataclass
class Holder:
    """A unit that holds equipment, with the unit it held it through before a 2025 reform."""

    unit: Unit
    weight: float
    before_reform: Unit | None = None  # None: the same unit throughout
    province: str = ""
    reformed_on: date = REFORM  # the day the equipment of `before_reform` went to `unit`
    reason: str = DISTRICT_REASON  # of those transfers

    def unit_on(self, day: date) -> Unit:
        if self.before_reform is not None and day < self.reformed_on:
            return self.before_reform
        return self.unit

    @property
    def earliest(self) -> date:
        return self.unit.founded_on if self.before_reform is None else self.before_reform.founded_on


@dataclass
class Handover:
    """A provincial Border Guard command handed over: on `day` its successor (a Ban Chỉ huy BĐBP
    under the provincial military command) takes its posts and depot (moves) and its own equipment
    (ledger transfers, items in HistoryMaker.reform and lots in hand_over_lots), then it is dissolved."""

    old: Unit
    new: Unit
    day: date = BORDER_GUARD_HANDOVER


@dataclass
class World:
    actor: User
    root: Unit | None = None
    holders: list[Holder] = field(default_factory=list)
    provinces: list[Unit] = field(default_factory=list)
    to_dissolve: list[Unit] = field(default_factory=list)
    merges: list[tuple[Unit, Unit, str]] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)


def system_user() -> User:
    user, created = User.objects.get_or_create(
        username="hethong",
        defaults={"first_name": "Hệ thống", "is_superuser": True, "is_staff": True, "role": Role.ADMIN},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def load_catalog(variants: int = 0) -> list[EquipmentType]:
    """The catalogue; `variants` adds that many numbered models of each serialised type (bench scale:
    ~500 types, as a national catalogue has), created in one bulk insert."""
    data = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
    types = []
    for order, cat in enumerate(data["categories"], start=1):
        category, _ = Category.objects.get_or_create(
            code=cat["code"].lower(), defaults={"name": cat["name"], "order": order}
        )
        for t in cat["types"]:
            obj, _ = EquipmentType.objects.get_or_create(
                code=t["code"].lower(),
                defaults=dict(
                    category=category,
                    name=t["name"],
                    short_name=t.get("short_name", ""),
                    unit_of_measure=t["unit_of_measure"],
                    serialised=t["serialised"],
                    service_life_years=t.get("service_life_years"),
                    origin=t.get("origin", ""),
                    meters=t.get("meters", []),
                ),
            )
            obj.weight = t.get("weight", 10)  # type: ignore[attr-defined]  # the seed's own, on the type object
            types.append(obj)
    extra = [
        EquipmentType(
            code=f"{t.code}-m{n}",
            category=t.category,
            name=f"{t.name} (mẫu {n})",
            short_name=f"{t.short_name} M{n}" if t.short_name else "",
            unit_of_measure=t.unit_of_measure,
            serialised=True,
            service_life_years=t.service_life_years,
            origin=t.origin,
            meters=t.meters,
        )
        for t in types
        if t.serialised
        for n in range(2, variants + 2)
    ]
    weights = {
        f"{t.code}-m{n}": t.weight / (n + 1)  # type: ignore[attr-defined]  # as above
        for t in types
        if t.serialised
        for n in range(2, variants + 2)
    }
    for obj in EquipmentType.objects.bulk_create(extra, batch_size=500):
        obj.weight = weights[obj.code]  # type: ignore[attr-defined]  # as above
        types.append(obj)
    return types


def build_units(world: World, copies: int = 1, platoons: bool = False) -> None:
    """The military region and its provinces; `copies` > 1 repeats the provinces under numbered
    names (bench scale: about one unit per 300 items) and `platoons` adds a militia platoon under
    each commune command (depth 5, as a national tree has)."""
    kinds = {k.code: k for k in UnitKind.objects.all()}
    places = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    actor = world.actor

    def make(code, name, kind, parent, founded=START, short=""):
        return reorg.create_unit(
            code=code, name=name, kind=kinds[kind], parent=parent, founded_on=founded, actor=actor, short_name=short
        )

    mr = places["military_region"]
    root = world.root = make(mr["code"].lower(), mr["name"], "military-region", None, short=mr["short_name"])
    world.holders += [
        Holder(make("qk2-kho-kt", "Kho Kỹ thuật Quân khu", "depot", root), 12),
        Holder(make("qk2-xuong", "Xưởng Sửa chữa tổng hợp Quân khu", "repair-station", root), 3),
    ]
    provinces = [
        {**p, "code": p["code"] + (str(copy) if copy > 1 else ""), "name": p["name"] + (f" {copy}" if copy > 1 else "")}
        for copy in range(1, copies + 1)
        for p in places["provinces"]
    ]
    for p in provinces:
        code = p["code"].lower()
        prov = make(
            f"{code}-chqs",
            f"Bộ Chỉ huy Quân sự tỉnh {p['name']}",
            "provincial-command",
            root,
            short=f"Bộ CHQS {p['name']}",
        )
        world.provinces.append(prov)
        tech = make(f"{code}-pkt", "Phòng Kỹ thuật", "staff-office", prov)
        logi = make(f"{code}-phc", "Phòng Hậu cần", "staff-office", prov)
        world.merges.append((logi, tech, p["name"]))
        world.holders += [
            Holder(tech, 2, province=code),
            Holder(tech, 1, before_reform=logi, province=code),
            Holder(make(f"{code}-kho", f"Kho K1 – Bộ CHQS {p['name']}", "depot", prov), 10, province=code),
            Holder(make(f"{code}-d1", "Tiểu đoàn Bộ binh 1", "battalion", prov), 8, province=code),
            Holder(make(f"{code}-c-cb", "Đại đội Công binh", "company", prov), 3, province=code),
            Holder(make(f"{code}-c-tt", "Đại đội Thông tin", "company", prov), 3, province=code),
            Holder(make(f"{code}-tsc", "Trạm Sửa chữa tổng hợp", "repair-station", prov), 2, province=code),
        ]
        districts = {}
        for d in p["districts"]:
            prefix = {"huyện": "huyện", "thị xã": "thị xã", "thành phố": "thành phố"}[d["kind"]]
            dist = make(
                f"{code}-{d['code'].lower()}", f"Ban Chỉ huy Quân sự {prefix} {d['name']}", "district-command", prov
            )
            districts[d["code"]] = (dist, d)
            world.to_dissolve.append(dist)
        for r in p["regions"]:
            first = districts[r["districts"][0]][1]["name"]
            region = make(
                f"{code}-ptkv{r['number']}",
                f"Ban Chỉ huy Phòng thủ khu vực {r['number']} – {first}",
                "regional-defence-command",
                prov,
                founded=REFORM,
                short=f"Ban CHPTKV {r['number']}",
            )
            for n, dcode in enumerate(r["districts"]):
                dist, d = districts[dcode]
                world.holders.append(Holder(region, 3 if n == 0 else 1.5, before_reform=dist, province=code))
                for c_index, commune in enumerate(d["communes"]):
                    cu = make(
                        f"{code}-{dcode.lower()}-x{c_index + 1}",
                        f"Ban Chỉ huy Quân sự xã {commune}",
                        "commune-command",
                        dist,
                    )
                    world.holders.append(Holder(cu, 0.5, province=code))
                    # The reform put commune commands under the regional command: a dated move.
                    reorg.move_unit(
                        cu,
                        new_parent=region,
                        on=REFORM,
                        actor=actor,
                        document="Quyết định tổ chức lại cơ quan quân sự địa phương",
                    )
                    if platoons:
                        cu.refresh_from_db()
                        platoon = make(f"{cu.code}-b1", "Trung đội Dân quân cơ động", "militia", cu)
                        world.holders.append(Holder(platoon, 0.3, province=code))
        build_border_guard(world, make, prov, p)


def build_border_guard(world: World, make, prov: Unit, p: dict) -> None:
    """A province's Border Guard command, its depot and posts from 2010; on BORDER_GUARD_HANDOVER its
    successor, the Ban Chỉ huy BĐBP under the provincial military command, takes the depot and the
    posts (dated moves: the tree of any earlier day still shows them under the old command) and the
    old command's own equipment (HistoryMaker.reform, hand_over_lots); finish_reform dissolves it."""
    code, bp, day = p["code"].lower(), p["code"].lower() + "-bp", BORDER_GUARD_HANDOVER
    guard = make(
        f"{code}-bdbp",
        f"Bộ Chỉ huy Bộ đội Biên phòng tỉnh {p['name']}",
        "provincial-border-guard",
        world.root,
        short=f"BĐBP {p['name']}",
    )
    world.provinces.append(guard)
    depot = make(f"{code}-bdbp-kho", f"Kho Kỹ thuật – BĐBP {p['name']}", "depot", guard)
    posts = [
        make(f"{code}-don{n + 1}", f"Đồn Biên phòng {post}", "border-post", guard)
        for n, post in enumerate(p["border_posts"])
    ]
    board = reorg.create_unit(
        code=f"{code}-bchbp",
        name=f"Ban Chỉ huy Bộ đội Biên phòng tỉnh {p['name']}",
        kind=UnitKind.objects.get(code="border-guard-command"),
        parent=prov,
        founded_on=day,
        actor=world.actor,
        short_name=f"Ban CH BĐBP {p['name']}",
        document=BORDER_GUARD_DOCUMENT,
    )
    # move_unit returns the unit with its new path, which the holders' lot receipts roll up along.
    depot, *posts = (
        reorg.move_unit(unit, new_parent=board, on=day, actor=world.actor, document=BORDER_GUARD_DOCUMENT)
        for unit in (depot, *posts)
    )
    world.handovers.append(Handover(guard, board, day))
    world.holders += [
        # The command's own equipment until the handover, the Ban Chỉ huy's after it.
        Holder(board, 3, before_reform=guard, province=bp, reformed_on=day, reason=BORDER_GUARD_REASON),
        Holder(depot, 4, province=bp),
        *(Holder(post, 2, province=bp) for post in posts),
    ]


class HistoryMaker:
    """Writes one item's plausible life through the batch: receipt, wear, repairs, moves, disposal."""

    def __init__(
        self, rng: random.Random, batch: LedgerBatch, holders: list[Holder], today: date, plans: dict | None = None
    ):
        self.rng, self.batch, self.today = rng, batch, today
        # The vehicles' maintenance between their other events (its own random generator per item).
        self.upkeep = Upkeep(batch, plans, today) if plans else None
        self.by_province: dict[str, list[Holder]] = {}
        for h in holders:
            self.by_province.setdefault(h.province, []).append(h)
        self.doc = 0

    def document(self, prefix: str, day: date) -> str:
        self.doc += 1
        return f"{self.doc % 900 + 100}/{prefix}-{day.year}"

    def day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, max(span, 0)))

    def make(self, etype, serial: str, holder: Holder) -> None:
        rng, b = self.rng, self.batch
        start = max(holder.earliest, START)
        received = self.day_between(start, self.today - timedelta(days=20))
        unit = holder.unit_on(received)
        year_made = max(1965, received.year - rng.choice([0, 0, 1, 2, 5, 10, 20]))
        grade = 1 if received.year - year_made <= 1 else rng.choice([2] * 9 + [3])
        purpose = rng.choices([Purpose.IN_USE, Purpose.COMBAT_RESERVE, Purpose.RESERVE], [70, 20, 10])[0]
        item = b.receipt(
            equipment_type=etype,
            serial=serial,
            unit=unit,
            grade=grade,
            occurred_on=received,
            document_number=self.document("PN", received),
            year_made=year_made,
            purpose=purpose,
            entered_service_on=received,
        )
        on = holder.reformed_on
        day, reformed = received, holder.before_reform is None or received >= on
        meters = {m: Decimal(0) for m in etype.meters}
        upkeep = self.upkeep
        if upkeep is not None:
            upkeep.start(item, etype, meters)
        while True:
            day = day + timedelta(days=rng.randint(250, 1100))
            if not reformed and day >= on:
                if upkeep is not None:
                    upkeep.until(item, etype, meters, on)
                self.reform(item, holder)
                reformed = True
                day = max(day, on)
            if upkeep is not None:
                upkeep.until(item, etype, meters, min(day, self.today))
            if day > self.today:
                break
            if not self.step(item, etype, holder, day, meters):
                break
        if not reformed and self.today >= on:
            if upkeep is not None:
                upkeep.until(item, etype, meters, on)
            self.reform(item, holder)
            if upkeep is not None:
                upkeep.until(item, etype, meters, self.today)

    def reform(self, item, holder: Holder) -> None:
        """Equipment of a dissolved unit (a district command, a provincial Border Guard command) goes
        to its successor on the reform date."""
        b, state, on = self.batch, self.batch.state_of(item), holder.reformed_on
        assert holder.before_reform is not None  # called only for a holder with a reform (see above)
        if state.status in (Status.DISPOSED, Status.LOST) or state.unit_id != holder.before_reform.pk:
            return  # off the books, or moved earlier to a unit that outlives the reform
        if state.holder:
            b.return_item(item, occurred_on=on)
        if b.state_of(item).status == Status.IN_REPAIR:
            b.status_change(item, EventKind.REPAIR_END, occurred_on=on, grade=2)
        if b.state_of(item).unit_id != holder.unit.pk:
            b.transfer(
                item,
                to_unit=holder.unit,
                occurred_on=on,
                document_number=self.document("BBBG", on),
                reason=holder.reason,
            )

    def step(self, item, etype, holder: Holder, day: date, meters) -> bool:
        """One thing happening to the item on `day`; False once it leaves the books."""
        rng, b = self.rng, self.batch
        state = b.state_of(item)
        for meter in meters if rng.random() < 0.4 else ():
            meters[meter] += Decimal(rng.randint(50, 4000) if meter == "km" else rng.randint(5, 300))
            b.meter_reading(item, meter=meter, value=meters[meter], occurred_on=day)
        roll = rng.random()
        if state.status == Status.IN_REPAIR:
            b.status_change(item, EventKind.REPAIR_END, occurred_on=day, grade=2, reason="Sửa chữa xong, nghiệm thu")
        elif state.status == Status.SEALED:
            if roll < 0.5:
                b.status_change(item, EventKind.UNSEAL, occurred_on=day, reason="Mở niêm cất đưa vào sử dụng")
        elif state.status == Status.AWAITING_DISPOSAL:
            if roll < 0.6:
                b.status_change(
                    item,
                    EventKind.DISPOSE,
                    occurred_on=day,
                    reason="Quyết định thanh lý",
                    document_number=self.document("QĐ-TL", day),
                )
                return False
        elif state.holder:
            b.return_item(item, occurred_on=day)
        elif state.grade >= 4 and roll < 0.35:
            if state.grade == 4:
                b.grade_change(item, grade=5, reason="Hư hỏng nặng, không còn khả năng sửa chữa", occurred_on=day)
            b.status_change(item, EventKind.AWAIT_DISPOSAL, occurred_on=day, reason="Đề nghị loại khỏi biên chế")
        elif state.grade >= 3 and roll < 0.65:
            level = "lớn" if state.grade == 4 else "vừa"
            b.status_change(item, EventKind.REPAIR_START, occurred_on=day, reason=f"Sửa chữa {level} theo kế hoạch")
        elif roll < (0.8 if state.grade == 3 else 0.3) and state.grade < 4:
            b.grade_change(
                item,
                grade=state.grade + 1,
                reason="Xuống cấp qua sử dụng, kết quả kiểm tra kỹ thuật",
                occurred_on=day,
                document_number=self.document("KTKT", day),
            )
        elif roll < 0.45 and etype.category.code in ("vkbb",):
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
            b.issue(item, holder=name, occurred_on=day)
        elif roll < 0.52 and etype.category.code in ("xe", "tau", "phao"):
            b.status_change(item, EventKind.SEAL, occurred_on=day, reason="Niêm cất dài hạn theo kế hoạch")
        elif roll < 0.6:
            self.move(item, holder, day)
        elif roll < 0.605 and holder.before_reform is None:
            # Lost items stay on their unit's books, so only units that outlive the reform lose any.
            b.status_change(item, EventKind.LOSE, occurred_on=day, reason="Mất trong khi làm nhiệm vụ, đang xác minh")
            return False
        return True

    def move(self, item, holder: Holder, day: date) -> None:
        # Only units that live through the reform, so nothing is left behind in a dissolved one.
        choices = [
            h for h in self.by_province.get(holder.province, []) if h.before_reform is None and h.unit.founded_on <= day
        ]
        if not choices:
            return
        target = self.rng.choice(choices).unit_on(day)
        state = self.batch.state_of(item)
        movable = target.pk != state.unit_id and target.dissolved_on is None and target.founded_on <= day
        if movable and not (target.kind.code == "district-command" and day >= REFORM):
            self.batch.transfer(
                item,
                to_unit=target,
                occurred_on=day,
                document_number=self.document("BBBG", day),
                reason="Điều chỉnh trang bị",
            )


def serial_for(etype, n: int, rng: random.Random) -> str:
    letters = "".join(ch for ch in etype.code.upper() if ch.isalpha())[:2] or "TB"
    return f"{letters}{n:06d}"


ITEMS_PER_UNIT = 300  # BENCH.md: about one unit per 300 items
BENCH_TYPES = 500  # BENCH.md: ~500 equipment types in ~12 categories


def staff_for(items: int) -> int:
    """The demo's technical staff: one person per ~200 items (250 at the demo's 50,000), at least 20."""
    return max(20, items // 200)


def bench_shape(items: int) -> tuple[int, int]:
    """(province copies, variants per serialised type) for a bench data set of `items` items."""
    places = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    catalog = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
    per_copy = sum(  # a province: its own units, border posts, districts, regions, communes and their platoons
        11
        + len(p["border_posts"])
        + len(p["districts"])
        + len(p["regions"])
        + 2 * sum(len(d["communes"]) for d in p["districts"])
        for p in places["provinces"]
    )
    copies = max(1, round(items / ITEMS_PER_UNIT / per_copy))
    types = [t for c in catalog["categories"] for t in c["types"]]
    serialised = sum(1 for t in types if t["serialised"])
    variants = max(0, round((BENCH_TYPES - len(types)) / serialised))
    return copies, variants


def seed(
    *, items: int = 50_000, seed: int = 1, progress=print, today: date | None = None, bench: bool = False
) -> World:
    """Build the whole demo world. Expects an empty database (fresh migrate).

    bench: the shape BENCH.md asks for at any scale (a unit per ~300 items, depth 5, ~500 types)
    instead of the demo's fixed military region."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    ensure_reference_data()
    actor = system_user()
    world = World(actor)
    copies, variants = bench_shape(items) if bench else (1, 0)
    with transaction.atomic():
        types = load_catalog(variants)
        build_units(world, copies, platoons=bench)
    progress(f"Đã tạo {Unit.objects.count()} đơn vị, {len(types)} chủng loại trang bị.")
    serialised = [t for t in types if t.serialised]
    counted = [t for t in types if not t.serialised]
    for t in types:
        t.category  # noqa: B018 - load once, used per item
    weights = list(itertools.accumulate(t.weight for t in serialised))  # type: ignore[attr-defined]  # seed_types
    holder_weights = list(itertools.accumulate(h.weight for h in world.holders))
    counters: dict[int, int] = {}
    serials: dict = {}  # shared by the chunks' batches: this seeder is the only writer
    # The demo's vehicles are maintained by the example plans from its first day (maintenance.demo);
    # the bench's shape keeps its own event mix (BENCH.md) and gets the plans after its history.
    plans = None if bench else create_plans(today, starts_on=START)
    done = 0
    while done < items:
        chunk = min(5000, items - done)
        with transaction.atomic():
            batch = LedgerBatch(actor, today=today, backdated=True, serials=serials)
            maker = HistoryMaker(rng, batch, world.holders, today, plans)
            for _ in range(chunk):
                etype = rng.choices(serialised, cum_weights=weights)[0]
                holder = rng.choices(world.holders, cum_weights=holder_weights)[0]
                counters[etype.pk] = counters.get(etype.pk, 100000 + rng.randint(0, 800000)) + rng.randint(1, 9)
                maker.make(etype, serial_for(etype, counters[etype.pk], rng), holder)
            batch.flush()
        done += chunk
        progress(f"Đã tạo {done}/{items} trang bị.")
    with transaction.atomic():
        hand_over_lots(rng, world, counted, actor, today)
        seed_lots(rng, world, counted, actor, today)
        # the technical staff and their training, before the reform dissolves the units they joined
        if not bench:
            seed_people(world.holders, world.provinces, actor, today, count=staff_for(items), starts_on=START)
        finish_reform(world)
        seed_authorisations(rng, world)
        seed_issuing_bodies(world.provinces)  # the names three provinces sign their documents under
        # example norms of the vehicles and technical-day schedules: the due board and planner are not
        # empty (the bench's M1-M2 read them too); the repairs of the history get their repair orders (M3)
        seed_maintenance_plans(today, actor=actor)
        seed_repair_orders(actor)
        if not bench:
            load_kits()  # the example kits first: the count sheets below read kit lines against them
            seed_storage(rng, actor, today)  # depots and weapon rooms of the busiest units, items in them
            seed_inspections(rng, actor, today)  # their inspections as the example matrix asks, with gaps
            seed_counts(actor, today)  # last year's count campaign closed, this year's in progress
        # example kits, and the few items found short of them (the đồng bộ coefficient; Q1 and Q2 read it)
        kit_events = seed_kits(rng, actor, today)
        if not bench:
            seed_resolutions(actor, today)  # 382, 1656, the region's resolution and a province's programme
    progress(f"Đã ghi {kit_events} lần kiểm tra đồng bộ.")
    seal_ledger()
    # Everything was written in bulk: statistics first, so the snapshot build is planned from them.
    statistics.analyse(*LEDGER_TABLES, Unit._meta.db_table, UnitVersion._meta.db_table)
    build_snapshots(today)  # quarterly subtree totals: past-day dashboards start from them
    return world


def hand_over_lots(rng, world: World, counted, actor, today) -> None:
    """Lots a provincial Border Guard command received before its handover, transferred whole to the
    Ban Chỉ huy BĐBP on the day (before seed_lots stocks the Ban Chỉ huy, so no later receipt comes
    first in a lot)."""
    batch = LedgerBatch(actor, today=today, backdated=True)
    for handover in world.handovers:
        old, start = handover.old, max(handover.old.founded_on, START)
        for etype in rng.sample(counted, k=min(len(counted), rng.randint(2, 4))):
            day = start + timedelta(days=rng.randint(0, max((handover.day - start).days - 1, 0)))
            quantity = rng.randint(50, 20000) if etype.category.code == "dan" else rng.randint(5, 400)
            lot = batch.lot_receipt(
                equipment_type=etype,
                unit=old,
                grade=rng.choice([1, 2, 2, 3]),
                quantity=quantity,
                occurred_on=day,
                lot_number=f"L{day.year}-{rng.randint(1, 99):02d}",
                document_number=f"{rng.randint(100, 999)}/PN-{day.year}",
            )
            lot.refresh_from_db()
            batch.lot_transfer(
                lot,
                to_unit=handover.new,
                quantity=lot.quantity,
                occurred_on=handover.day,
                document_number=f"{rng.randint(100, 999)}/BBBG-{handover.day.year}",
                reason=BORDER_GUARD_REASON,
            )
    batch.flush()


def seed_lots(rng, world: World, counted, actor, today) -> None:
    batch = LedgerBatch(actor, today=today, backdated=True)
    units: dict[int, Holder] = {}
    for holder in world.holders:  # several holders can share a unit; stock it once
        units.setdefault(holder.unit.pk, holder)
    for holder in units.values():
        if holder.unit.kind.code == "commune-command":
            continue
        for etype in rng.sample(counted, k=min(len(counted), rng.randint(2, 6))):
            start = max(holder.unit.founded_on, START)
            day = start + timedelta(days=rng.randint(0, max((today - start).days - 1, 0)))
            quantity = rng.randint(50, 20000) if etype.category.code == "dan" else rng.randint(5, 400)
            batch.lot_receipt(
                equipment_type=etype,
                unit=holder.unit,
                grade=rng.choice([1, 2, 2, 3]),
                quantity=quantity,
                occurred_on=day,
                lot_number=f"L{day.year}-{rng.randint(1, 99):02d}",
                document_number=f"{rng.randint(100, 999)}/PN-{day.year}",
            )
    batch.flush()


def finish_reform(world: World) -> None:
    for handover in world.handovers:
        # Its posts, depot and equipment have gone to the Ban Chỉ huy BĐBP on the same day.
        reorg.dissolve_unit(
            Unit.objects.get(pk=handover.old.pk), on=handover.day, actor=world.actor, document=BORDER_GUARD_DOCUMENT
        )
    for dist in world.to_dissolve:
        reorg.dissolve_unit(
            Unit.objects.get(pk=dist.pk),
            on=REFORM,
            actor=world.actor,
            document="Nghị quyết về sắp xếp đơn vị hành chính cấp huyện",
        )
    for logi, tech, _name in world.merges:
        reorg.merge_units(
            [Unit.objects.get(pk=logi.pk)],
            into=tech,
            on=REFORM,
            actor=world.actor,
            document="Quyết định hợp nhất cơ quan Hậu cần – Kỹ thuật",
        )
        reorg.rename_unit(
            Unit.objects.get(pk=tech.pk),
            name="Phòng Hậu cần – Kỹ thuật",
            on=REFORM,
            actor=world.actor,
            document="Quyết định hợp nhất cơ quan Hậu cần – Kỹ thuật",
        )


def seed_authorisations(rng, world: World) -> None:
    """Authorised holdings near what each unit holds, so fill rates land between ~80 and 100 %."""
    from django.db.models import Count

    rows = []
    held = (
        Unit.objects.filter(
            dissolved_on__isnull=True, items__status__in=[Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED]
        )
        .values("id", "founded_on", "items__equipment_type_id")
        .annotate(n=Count("items"))
        .order_by("id", "items__equipment_type_id")
    )
    for row in held:
        quantity = max(1, round(row["n"] * rng.uniform(0.95, 1.25)))
        rows.append(
            AuthorizedHolding(
                unit_id=row["id"],
                equipment_type_id=row["items__equipment_type_id"],
                quantity=quantity,
                valid_from=max(row["founded_on"], START),
            )
        )
    AuthorizedHolding.objects.bulk_create(rows, batch_size=1000)


DEMO_USERS = [
    # username, name, role, unit code
    ("admin", "Quản trị hệ thống", Role.ADMIN, None),
    ("quankhu", "Trợ lý kỹ thuật Quân khu", Role.TECHNICAL_OFFICER, "qk2"),
    ("laocai", "Trợ lý kỹ thuật Bộ CHQS tỉnh Lào Cai", Role.TECHNICAL_OFFICER, "lci-chqs"),
    ("chihuy", "Chỉ huy trưởng Bộ CHQS tỉnh Lào Cai", Role.COMMANDER, "lci-chqs"),
    ("ptkv1", "Trợ lý kỹ thuật Ban CHPTKV 1 Lào Cai", Role.TECHNICAL_OFFICER, "lci-ptkv1"),
    ("bienphong", "Trợ lý kỹ thuật Ban CH BĐBP tỉnh Lào Cai", Role.TECHNICAL_OFFICER, "lci-bchbp"),
]


def create_demo_users(password: str = DEMO_PASSWORD) -> list[User]:
    users = []
    for username, name, role, unit_code in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = name
        user.role = role
        user.unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
        user.is_superuser = user.is_staff = unit_code is None
        user.set_password(password)
        user.save()
        users.append(user)
    return users
