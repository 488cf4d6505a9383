"""I1: import a large XLSX register through the code of `materiel import`, in a subprocess.

A subprocess, so that its peak resident memory is the import's own. The register is written with
xlsxwriter (another program than our reader). The commit runs to its end and is then rolled back,
so a reused data set does not grow by the file on every run (the final COMMIT is not timed).

Run as `python -m materiel.bench.importing parse|import FILE UNIT_CODE`: prints one JSON line.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HEADERS = ["STT", "Số hiệu", "Mã chủng loại", "Cấp chất lượng", "Đơn vị quản lý", "Ngày tiếp nhận", "Năm sản xuất"]


def write_register(path: Path, rows: int, unit) -> None:
    """A register of `rows` new items spread over the open units of `unit`'s subtree."""
    import xlsxwriter
    from django.utils import timezone

    from materiel.catalog.models import EquipmentType
    from materiel.units.models import PATH_END, Unit

    rng = random.Random(11)
    today = timezone.localdate()
    units = list(
        Unit.objects.filter(path__gte=unit.path, path__lt=unit.path + PATH_END, dissolved_on__isnull=True)
        .filter(founded_on__lte=today - timedelta(days=400))
        .values_list("code", flat=True)
    ) or [unit.code]
    types = list(EquipmentType.objects.filter(serialised=True).values_list("code", flat=True))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("So dang ky")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT (đo hiệu năng)"])
    sheet.write_row(2, 0, HEADERS)
    for n in range(1, rows + 1):
        received = today - timedelta(days=rng.randint(30, 390))
        sheet.write_number(2 + n, 0, n)
        sheet.write_string(2 + n, 1, f"NK{n:07d}")
        sheet.write_string(2 + n, 2, rng.choice(types))
        sheet.write_number(2 + n, 3, rng.choice([1, 1, 2, 2, 2, 3]))
        sheet.write_string(2 + n, 4, rng.choice(units))
        sheet.write_datetime(2 + n, 5, datetime(received.year, received.month, received.day), dates)
        sheet.write_number(2 + n, 6, received.year - rng.randint(0, 3))
    book.close()


def run_worker(mode: str, file: str, unit_code: str) -> dict:
    from django.db import transaction

    from materiel.imports.commit import commit_plan
    from materiel.imports.plan import build_plan
    from materiel.imports.reader import read_table
    from materiel.units.models import Unit

    from .scenarios import bench_user

    path = Path(file)
    timings = {}
    start = time.perf_counter()
    table = read_table(path.read_bytes(), path.name)
    table.name = path.name
    timings["parse_s"] = time.perf_counter() - start
    if mode == "import":
        unit = Unit.objects.get(code=unit_code)
        root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        assert root is not None, "the bench imports into its data set"
        actor = bench_user(root)
        step = time.perf_counter()
        plan = build_plan(table, actor=actor, unit=unit)
        timings["plan_s"] = time.perf_counter() - step
        if not plan.ok:
            raise SystemExit(f"plan has {len(plan.issues)} issues, first: {plan.issues[0]}")
        step = time.perf_counter()
        with transaction.atomic():
            batch = commit_plan(plan, actor=actor, unit=unit, force=True)
            timings["commit_s"] = time.perf_counter() - step
            timings["items"] = batch.items
            transaction.set_rollback(True)
    timings["total_s"] = time.perf_counter() - start
    timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()}


def run(mode: str, file: Path, unit_code: str, env: dict) -> dict:
    """One worker subprocess; its JSON result."""
    out = subprocess.run(
        [sys.executable, "-m", "materiel.bench.importing", mode, str(file), unit_code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"import worker failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "materiel.settings")
    from materiel.bench.env import point_at_bench_database

    point_at_bench_database()
    import django

    django.setup()
    print(json.dumps(run_worker(*sys.argv[1:4])))
