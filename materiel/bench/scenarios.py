"""The in-process scenarios of BENCH.md (Q1–Q5, W1), each with its baseline measured in the same run.

Reads go through the code the pages use: `ledger.coefficients` for the numbers, the Django test
client (the whole middleware stack, a signed-in user) for the register and item pages.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from materiel.accounts.models import Role, User
from materiel.catalog.models import EquipmentType
from materiel.core.text import search_fold
from materiel.documents.numbering import propose_number
from materiel.documents.services import Parties, hand_over
from materiel.equipment.models import Item, Status
from materiel.inspections.readiness import reason_counts
from materiel.ledger import coefficients, services
from materiel.ledger.models import Event
from materiel.units.models import PATH_END, Unit
from materiel.web.bulk import change_grades

from .timing import measure

BENCH_USER = "bench"


@dataclass
class Context:
    root: Unit
    mid: Unit  # a province: the mid-level subtree
    user: User
    client: Client
    past_day: date
    repeat: int


def bench_user(root: Unit) -> User:
    """A technical officer of the root unit (no second factor), as the dashboard's main reader."""
    user, _created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "Đo hiệu năng", "role": Role.TECHNICAL_OFFICER, "unit": root}
    )
    return user


def context(repeat: int) -> Context:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    mid = (
        Unit.objects.filter(parent=root, kind__code="provincial-command", dissolved_on__isnull=True)
        .order_by("path")
        .first()
    )
    assert root is not None and mid is not None, "the bench runs on its data set (datasets.ensure)"
    user = bench_user(root)
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    return Context(root, mid, user, client, today.replace(year=today.year - 5), repeat)


def result(what: str, ours, baseline=None, baseline_what: str = "", **extra) -> dict:
    data = {"what": what, "unit": "ms", **ours.as_dict(), **extra}
    if baseline is not None:
        data["baseline"] = {"what": baseline_what, **baseline.as_dict()}
        data["ratio"] = round(ours.median / baseline.median, 3) if baseline.median else None
    return data


# -- Q1 -------------------------------------------------------------------------------------------
NAIVE_SQL = """
    SELECT t.category_id, i.grade, i.status, COUNT(*) FROM equipment_item i
    JOIN units_unit u ON u.id = i.unit_id JOIN catalog_equipmenttype t ON t.id = i.equipment_type_id
    WHERE u.path >= %s AND u.path < %s GROUP BY t.category_id, i.grade, i.status
"""


def naive_group_by(unit: Unit) -> list:
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_SQL, [unit.path, unit.path + PATH_END])
        return cursor.fetchall()


def q1(ctx: Context) -> dict:
    def ours():
        # What the dashboard's figures read: grades, coefficients, đồng bộ, and readiness by reason.
        for unit in (ctx.root, ctx.mid):
            coefficients.summarise(unit)
            reason_counts(ctx.user, unit)

    def naive():
        naive_group_by(ctx.root)
        naive_group_by(ctx.mid)

    return result(
        f"grade × category + coefficient + đồng bộ + readiness by reason, root and {ctx.mid.code} "
        "(coefficients.summarise from rollups, readiness.reason_counts)",
        measure(ours, repeat=ctx.repeat),
        measure(naive, repeat=max(3, ctx.repeat // 4), warmup=1),
        "naive GROUP BY over the items table, same two subtrees",
    )


# -- Q2 -------------------------------------------------------------------------------------------
def q2(ctx: Context) -> dict:
    children = ctx.mid.children.filter(dissolved_on__isnull=True).count()
    return result(
        f"dashboard table: {children} child units of {ctx.mid.code} with coefficients and đồng bộ (children_summaries)",
        measure(lambda: coefficients.children_summaries(ctx.mid), repeat=ctx.repeat),
        measure(lambda: coefficients.summarise(ctx.mid), repeat=ctx.repeat),
        "one summarise() of the province itself",
    )


# -- Q3 -------------------------------------------------------------------------------------------
def register_filters(ctx: Context) -> dict:
    """The province's most common type, grade 2, and a word of the type's name typed with diacritics."""
    subtree = Unit.objects.filter(path__gte=ctx.mid.path, path__lt=ctx.mid.path + PATH_END)
    type_id = (
        Item.objects.filter(unit__in=subtree.filter(kind__code="depot"), status=Status.IN_SERVICE)
        .values_list("equipment_type_id", flat=True)
        .first()
    ) or Item.objects.values_list("equipment_type_id", flat=True).first()
    assert type_id is not None, "the bench runs on its data set"
    etype = EquipmentType.objects.get(pk=type_id)
    words = [w for w in etype.name.split() if search_fold(w) != w] or etype.name.split()
    return {"unit": ctx.mid.code, "type": etype.code, "grade": "2", "q": words[0].lower()}


def get_page(ctx: Context, url: str, params: dict | None = None) -> None:
    response = ctx.client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")


def q3(ctx: Context) -> dict:
    params = register_filters(ctx)
    return result(
        f"register page 1 (the /trang-bi/ view, signed in): {params}",
        measure(lambda: get_page(ctx, "/trang-bi/", params), repeat=ctx.repeat),
        measure(lambda: get_page(ctx, "/trang-bi/", {"unit": ctx.mid.code}), repeat=ctx.repeat),
        f"register page 1 of {ctx.mid.code} without filters",
    )


# -- Q4 -------------------------------------------------------------------------------------------
def longest_history_item() -> tuple[int, int]:
    """An item with the most events among a sample (a full scan of a million events would be slow)."""
    first = Item.objects.order_by("id").values_list("id", flat=True).first() or 0
    rows = (
        Event.objects.filter(item_id__gte=first, item_id__lt=first + 2000)
        .values_list("item_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return rows[0]


def q4(ctx: Context) -> dict:
    item_id, events = longest_history_item()
    return result(
        f"item page with its full history ({events} events), /trang-bi/{item_id}/",
        measure(lambda: get_page(ctx, f"/trang-bi/{item_id}/"), repeat=ctx.repeat),
    )


# -- Q5 -------------------------------------------------------------------------------------------
def q5(ctx: Context) -> dict:
    day = ctx.past_day

    def past():
        counts = coefficients.PastCounts(day)
        coefficients.summarise(ctx.root, day, past=counts)
        coefficients.summarise(ctx.mid, day, past=counts)

    def now():
        coefficients.summarise(ctx.root)
        coefficients.summarise(ctx.mid)

    return result(
        f"Q1 on {day:%d/%m/%Y} (5 years ago), root and {ctx.mid.code}, folded from the ledger",
        measure(past, repeat=max(3, ctx.repeat // 2), warmup=1),
        measure(now, repeat=ctx.repeat),
        "the same Q1 today (rollups)",
    )


# -- W1 -------------------------------------------------------------------------------------------
def w1_single(ctx: Context, events: int = 400) -> dict:
    """Transfers and grade changes on live items of the province, one service call (one transaction,
    projections and rollups included) each, dated today."""
    rng = random.Random(7)
    today = timezone.localdate()
    admin = User.objects.filter(is_superuser=True).first()
    assert admin is not None  # the demo database the bench runs on has its administrator
    subtree = Unit.objects.filter(path__gte=ctx.mid.path, path__lt=ctx.mid.path + PATH_END)
    targets = list(subtree.filter(dissolved_on__isnull=True, founded_on__lte=today))
    # Every fifth live item of the province, so the writes spread over units and types.
    live = Item.objects.filter(unit__in=subtree, status=Status.IN_SERVICE, holder="", grade__lt=4)
    candidates = list(live.exclude(last_event_on__gt=today).order_by("id")[: events * 5 : 5])
    done = 0
    start = time.perf_counter()
    for item in candidates:
        if done >= events:
            break
        item = Item.objects.get(pk=item.pk)
        to_unit = rng.choice([u for u in targets if u.pk != item.unit_id])
        services.record_transfer(item, to_unit=to_unit, occurred_on=today, actor=admin, document_number=f"BENCH-{done}")
        item = Item.objects.get(pk=item.pk)
        services.record_grade_change(
            item, grade=item.grade + 1, reason="Đo hiệu năng: kiểm tra kỹ thuật", occurred_on=today, actor=admin
        )
        done += 2
    elapsed = time.perf_counter() - start
    rate = round(done / elapsed, 1) if elapsed else 0.0
    return {
        "what": f"{done} events (transfer + grade change pairs) through ledger.services, one transaction each",
        "unit": "events/s",
        "median": rate,
        "p95": round(elapsed * 1000 / max(done, 1), 2),
        "runs": 1,
        "p95_is": "mean ms per event",
    }


def w1_batch(ctx: Context, items: int = 250) -> dict:
    """The same writes as bulk actions of the register: a handover of `items` items of one unit to
    another (one record, documents.services.hand_over) and a grade change of the same items
    (web.bulk.change_grades), each one transaction through ledger.services.ManyItems."""
    today = timezone.localdate()
    admin = User.objects.filter(is_superuser=True).first()
    subtree = Unit.objects.filter(path__gte=ctx.mid.path, path__lt=ctx.mid.path + PATH_END)
    live = Item.objects.filter(unit__in=subtree, status=Status.IN_SERVICE, holder="", grade=2)
    live = live.exclude(last_event_on__gt=today)
    # The unit of the province holding the most such items gives; another unit of the province takes.
    giver = live.values("unit").annotate(n=Count("id")).order_by("-n").first()["unit"]
    taker = subtree.filter(dissolved_on__isnull=True, founded_on__lte=today).exclude(pk=giver).order_by("path").first()
    assert taker is not None, "the province has another open unit"
    chosen = list(live.filter(unit_id=giver).select_related("equipment_type", "unit").order_by("id")[:items])
    number = propose_number(Unit.objects.get(pk=giver), today.year)
    parties = Parties(number=number, handed_on=today, reason="Đo hiệu năng: bàn giao theo danh sách")
    start = time.perf_counter()
    hand_over(items=chosen, to_unit=taker, parties=parties, actor=admin)
    chosen = list(Item.objects.filter(pk__in=[i.pk for i in chosen]).select_related("equipment_type"))
    change_grades(
        chosen, grade=3, reason="Đo hiệu năng: kiểm tra kỹ thuật", document_number="", occurred_on=today, actor=admin
    )
    elapsed = time.perf_counter() - start
    done = 2 * len(chosen)
    return {
        "what": f"{done} events as two bulk actions (a handover of {len(chosen)} items, then their grade change), "
        "one transaction each through ledger.services.ManyItems",
        "unit": "events/s",
        "median": round(done / elapsed, 1) if elapsed else 0.0,
        "p95": round(elapsed * 1000 / max(done, 1), 2),
        "runs": 1,
        "p95_is": "mean ms per event",
    }


def w1(ctx: Context) -> list[dict]:
    """W1 both ways: an event per transaction (a form on the item page, the API), and in bulk."""
    return [{"id": "W1", **w1_single(ctx)}, {"id": "W1 batch", **w1_batch(ctx)}]


SCENARIOS: dict[str, Callable[[Context], dict[str, Any] | list[dict[str, Any]]]] = {
    "Q1": q1,
    "Q2": q2,
    "Q3": q3,
    "Q4": q4,
    "Q5": q5,
    "W1": w1,
}
