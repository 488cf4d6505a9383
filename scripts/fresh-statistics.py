"""Times the past-day reads right after a bulk load, then again after a manual ANALYZE.

Run by scripts/fresh-statistics.sh against a database that `materiel seed` has just filled: the
past-day dashboard of the region and of a province (median of 5), and a full rebuild of the
quarterly snapshots. docs/benchmarks.md quotes its output (issue: plans on fresh statistics).
"""

import statistics as stats
import sys
import time
from datetime import date

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from materiel.accounts.models import User  # noqa: E402
from materiel.core import statistics as statistics_module  # noqa: E402
from materiel.demo.seed import create_demo_users  # noqa: E402
from materiel.ledger import snapshots  # noqa: E402
from materiel.ledger.batch import LEDGER_TABLES  # noqa: E402
from materiel.ledger.models import RollupSnapshot, SnapshotDay  # noqa: E402
from materiel.units.models import Unit  # noqa: E402

PAST = "01/01/2024"


def median_ms(fn, runs=5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return stats.median(times)


def measure(label: str) -> None:
    if not User.objects.filter(username="quankhu").exists():
        create_demo_users()
    client = Client()
    client.force_login(User.objects.get(username="quankhu"))
    province = Unit.objects.get(code="qk2").children.order_by("path").first()

    def dashboard(unit=None):
        params = {"on": PAST, **({"unit": unit.code} if unit else {})}
        assert client.get("/", params).status_code == 200

    def rebuild():
        with transaction.atomic():
            RollupSnapshot.objects.all().delete()
            SnapshotDay.objects.all().delete()
            snapshots.build(date.today())
            transaction.set_rollback(True)

    region_ms = median_ms(dashboard)
    province_ms = median_ms(lambda: dashboard(province))
    rebuild_ms = median_ms(rebuild, runs=1)
    print(
        f"{label}: past-day dashboard region {region_ms:.0f} ms, province {province_ms:.0f} ms; "
        f"snapshots rebuilt in {rebuild_ms / 1000:.1f} s",
        flush=True,
    )


measure("after the seed")
statistics_module.analyse(*LEDGER_TABLES)  # as the owner (the application's role owns no table)
measure("after a manual ANALYZE")
sys.exit(0)
