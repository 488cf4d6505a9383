import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from materiel.bench import datasets, report
from materiel.bench.env import subprocess_env
from materiel.bench.importing import run as run_import
from materiel.bench.importing import write_register
from materiel.bench.scenarios import SCENARIOS, context
from materiel.demo import seed as demo_seed
from materiel.equipment.models import Item
from materiel.ledger import snapshots

ALL = ["Q1", "Q2", "Q3", "Q4", "Q5", "W1", "I1", "H1", "M1", "M2", "M3", "N1", "N2", "C1", "C2", "C3", "V2", "P1"]
COMMAND_VARIABLE = "MATERIEL_BENCH_COMMAND"


class Command(BaseCommand):
    help = (
        "Đo hiệu năng theo BENCH.md (Q1–Q5, W1, I1, H1, M1–M3, N1–N2, C1–C3, V2) trên bộ dữ liệu sinh theo quy mô; "
        "ghi JSON và bảng Markdown vào docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=100_000, help="số trang bị của bộ dữ liệu")
        parser.add_argument(
            "--db",
            choices=["sqlite", "postgres"],
            help="bộ dữ liệu đo riêng theo quy mô, trong MATERIEL_DATA_DIR/bench (mặc định: CSDL đang cấu hình)",
        )
        parser.add_argument("--scenario", default=",".join(ALL), help="các kịch bản, cách nhau bằng dấu phẩy")
        parser.add_argument("--repeat", type=int, default=20, help="số lần đo mỗi kịch bản (sau khi chạy khởi động)")
        parser.add_argument("--output", default="docs/benchmarks.md", help="tệp Markdown (JSON ghi cạnh, .json)")
        parser.add_argument("--import-rows", type=int, default=100_000, help="số dòng của tệp XLSX cho I1")
        parser.add_argument("--clients", type=int, default=50, help="số máy khách đồng thời cho H1")
        parser.add_argument("--http-seconds", type=int, default=15, help="thời gian tải mỗi trang cho H1")
        parser.add_argument("--http-requests", type=int, default=20_000, help="số yêu cầu tối đa mỗi trang cho H1")
        parser.add_argument("--migrate", action="store_true", help=argparse_hidden())

    def handle(self, *args, **options):
        scenarios = [s.strip().upper() for s in options["scenario"].split(",") if s.strip()]
        unknown = set(scenarios) - set(ALL)
        if unknown:
            raise CommandError(f"Không có kịch bản {', '.join(sorted(unknown))}; có: {', '.join(ALL)}.")
        options["scenario"] = ",".join(scenarios)
        options["output"] = str(Path(options["output"]).resolve())
        command = os.environ.get(COMMAND_VARIABLE) or "materiel bench " + " ".join(map(shlex.quote, sys.argv[2:]))
        if options["db"]:
            return self.in_bench_database(options, command)
        self.run_here(options, scenarios, command)

    # -- a bench data set: a child process configured for it ---------------------------------------
    def in_bench_database(self, options, command):
        db, items = options["db"], options["items"]
        directory = datasets.bench_dir(db, items)
        directory.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env[COMMAND_VARIABLE] = command
        env["MATERIEL_DATA_DIR"] = str(directory)
        env.pop("DATABASE_URL", None)
        env.pop("MATERIEL_MIGRATE_DATABASE_URL", None)  # the bench's own cluster has one role
        argv = [sys.executable, "-m", "materiel.cli", "bench", "--migrate"]
        for name in (
            "items",
            "scenario",
            "repeat",
            "output",
            "import_rows",
            "clients",
            "http_seconds",
            "http_requests",
        ):
            argv += [f"--{name.replace('_', '-')}", str(options[name])]
        self.stdout.write(f"Bộ dữ liệu đo: {directory}")
        if db == "sqlite":
            code = subprocess.call(argv, env=env)
        else:
            with datasets.postgres_cluster(directory) as url:
                env["DATABASE_URL"] = url
                code = subprocess.call(argv, env=env)
        if code:
            raise CommandError(f"Lần đo trên {db} thất bại (mã {code}).")

    # -- this process's database ---------------------------------------------------------------------
    def run_here(self, options, scenarios, command):
        out = self.stdout.write
        if options["migrate"]:
            call_command("migrate", verbosity=0)
        items = options["items"]
        if not Item.objects.exists():
            out(f"Sinh bộ dữ liệu {items:,} trang bị …")
            start = time.perf_counter()
            demo_seed.seed(items=items, bench=True, progress=out)
            out(f"Đã sinh trong {time.perf_counter() - start:.0f} giây.")
        snapshots.build(timezone.localdate())  # a data set generated before snapshots existed
        db = "postgres" if connection.vendor == "postgresql" else connection.vendor
        ctx = context(options["repeat"])
        md = Path(options["output"])
        failed = []
        for name in scenarios:
            out(f"{name} …")
            try:
                rows = self.scenario(name, ctx, options)
            except Exception as error:  # noqa: BLE001 - one failing scenario must not lose the others
                failed.append(name)
                what = f"failed: {type(error).__name__}: {error}"[:400]
                ids = ["H1 dashboard", "H1 register"] if name == "H1" else [name]
                rows = [{"id": key, "what": what, "median": None} for key in ids]
                self.stderr.write(f"  {name}: {what}")
            report.stamp(rows, db=db, items=items, command=command)
            # Written after each scenario, so a later failure or interruption keeps what was measured.
            report.write_markdown(md, report.merge(md.with_suffix(".json"), rows))
            for row in rows:
                out(f"  {row['id']}: {row['median']} {row.get('unit', 'ms')}")
        out(self.style.SUCCESS(f"Đã ghi {md} và {md.with_suffix('.json')}."))
        if failed:
            raise CommandError(f"Kịch bản lỗi: {', '.join(failed)}.")

    def scenario(self, name: str, ctx, options) -> list[dict]:
        if name in SCENARIOS:
            found = SCENARIOS[name](ctx)
            return found if isinstance(found, list) else [{"id": name, **found}]
        if name in ("M1", "M2", "M3"):
            from materiel.bench import maintenance

            return [{"id": name, **getattr(maintenance, name.lower())(ctx)}]
        if name in ("N1", "N2"):
            from materiel.bench import inspections

            return [{"id": name, **getattr(inspections, name.lower())(ctx)}]
        if name in ("C1", "C2", "C3"):
            from materiel.bench import counts

            return [{"id": name, **getattr(counts, name.lower())(ctx)}]
        if name == "V2":
            from materiel.bench import resolutions

            return [{"id": name, **resolutions.v2(ctx)}]
        if name == "I1":
            return [{"id": "I1", **self.i1(ctx, options["import_rows"])}]
        if name == "P1":
            from materiel.bench.pages import p1

            return [{"id": key, **value} for key, value in p1(ctx).items()]
        from materiel.bench.http import h1

        found = h1(
            ctx, clients=options["clients"], seconds=options["http_seconds"], max_requests=options["http_requests"]
        )
        return [{"id": key, **value} for key, value in found.items()]

    def i1(self, ctx, rows: int) -> dict:
        env = subprocess_env()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"so-dang-ky-{rows}.xlsx"
            write_register(path, rows, ctx.mid)
            parse = [run_import("parse", path, ctx.mid.code, env) for _ in range(3)]
            full = run_import("import", path, ctx.mid.code, env)
        parse_s = sorted(r["parse_s"] for r in parse)[1]
        return {
            "what": (
                f"import a {rows:,}-row XLSX into {ctx.mid.code} (build_plan + commit_plan, subprocess): "
                f"parse {full['parse_s']} s, plan {full['plan_s']} s, commit {full['commit_s']} s"
            ),
            "unit": "s",
            "median": full["total_s"],
            "p95": None,
            "runs": 1,
            "peak_rss_mb": round(full["peak_rss_mb"], 1),
            "baseline": {
                "what": "parsing the file alone (reader.read_table, median of 3 subprocesses)",
                "unit": "s",
                "median": parse_s,
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in parse), 1),
            },
            "ratio": round(full["total_s"] / parse_s, 2) if parse_s else None,
            "detail": full,
        }


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
