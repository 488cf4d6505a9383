"""Results: merged into a JSON file and rendered as the Markdown table of docs/benchmarks.md.

One file holds every scale and database: a run replaces only the rows it measured (same scenario,
scale and database). The table sits between two markers; the text around it is written by hand.
"""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

START = "<!-- bench:table:start (written by `materiel bench`; edit outside the markers) -->"
END = "<!-- bench:table:end -->"

ORDER = [
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "Q5",
    "W1",
    "W1 batch",
    "I1",
    "H1 dashboard",
    "H1 register",
    "M1",
    "M2",
    "M3",
    "N1",
    "N2",
    "C1",
    "C2",
    "C3",
    "V2",
]  # then P1, page by page

# id -> (target as BENCH.md words it, check on a result row)
TARGETS = {
    "Q1": (
        "p50 ≤ 20 ms and ≥ 20× faster than naive (ratio ≤ 0.05)",
        lambda r: r["median"] <= 20 and r["ratio"] <= 0.05,
    ),
    "Q2": ("p50 ≤ 30 ms", lambda r: r["median"] <= 30),
    "Q3": ("p50 ≤ 50 ms", lambda r: r["median"] <= 50),
    "Q4": ("p50 ≤ 20 ms", lambda r: r["median"] <= 20),
    "Q5": ("p50 ≤ 300 ms", lambda r: r["median"] <= 300),
    "W1": ("≥ 2,000 events/s", lambda r: r["median"] >= 2000),
    "I1": ("≤ 15 s (100k rows), peak RSS ≤ 400 MB", lambda r: r["median"] <= 15 and r["peak_rss_mb"] <= 400),
    "H1 dashboard": ("p95 ≤ 150 ms, zero errors", lambda r: r["p95"] <= 150 and r["errors"] == 0),
    "H1 register": ("p95 ≤ 150 ms, zero errors", lambda r: r["p95"] <= 150 and r["errors"] == 0),
    # Issue 14 (BENCH.md wave 2): the due board, a technical day recorded, reliability figures.
    "M1": ("p50 ≤ 50 ms, flat from 100k", lambda r: r["median"] <= 50),
    "M2": ("≤ 2 s (300 tasks with readings)", lambda r: r["median"] <= 2000),
    "M3": ("p50 ≤ 300 ms", lambda r: r["median"] <= 300),
    # Issue 15: inspection compliance of a province for a year, a 60-item run recorded.
    "N1": ("p50 ≤ 200 ms at 1M", lambda r: r["median"] <= 200),
    "N2": ("≤ 1 s (60 items)", lambda r: r["median"] <= 1000),
    # Issue 16: a campaign's count sheets over a province, a 5,000-line count approved, a national board.
    "C1": ("≤ 10 s (a province of 100k items)", lambda r: r["median"] <= 10000),
    "C2": ("≤ 3 s (5,000 lines, 300 discrepancies)", lambda r: r["median"] <= 3000),
    "C3": ("≤ 100 ms at 1M", lambda r: r["median"] <= 100),
    # Issue 19: the progress page of a resolution for a province, year by year on the tree of each year.
    "V2": ("≤ 300 ms at 1M", lambda r: r["median"] <= 300),
    # Issue 4: every page of the web interface answers in under 150 ms (one row per page, "P1 <page>").
    "P1": ("p50 ≤ 150 ms (issue 4, every page)", lambda r: r["median"] <= 150),
}


def key(row: dict) -> tuple:
    return (row["id"], row["db"], row["items"])


def merge(json_path: Path, rows: list[dict]) -> list[dict]:
    """Rows already in the file, with those of this run replacing their (scenario, db, scale)."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(json_path.read_text(encoding="utf-8"))["results"] if json_path.exists() else []
    fresh = {key(r) for r in rows}
    merged = [r for r in old if key(r) not in fresh] + rows
    merged.sort(key=lambda r: (ORDER.index(r["id"]) if r["id"] in ORDER else 99, r["items"], r["db"]))
    json_path.write_text(
        json.dumps({"machine": machine(), "results": merged}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return merged


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def stamp(rows: list[dict], *, db: str, items: int, command: str) -> list[dict]:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for row in rows:
        row.update(db=db, items=items, command=command, measured_at=when)
        prefixed = row["id"].startswith(("P1 ", "W1 "))
        target = TARGETS.get(row["id"].split(" ")[0] if prefixed else row["id"])
        if target:
            row["target"] = target[0]
            try:
                row["met"] = bool(target[1](row))
            except (KeyError, TypeError):
                row["met"] = False
    return rows


def number(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value >= 100:
        value = round(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def table(rows: list[dict]) -> str:
    lines = [
        "| id | db | items | median | p95 | baseline median | ours ÷ baseline | target | met |",
        "|---|---|---:|---:|---:|---:|---:|---|:-:|",
    ]
    for r in rows:
        unit = r.get("unit", "ms")
        base = r.get("baseline") or {}
        extra = ""
        if "peak_rss_mb" in r:
            extra = f" (peak {number(r['peak_rss_mb'], 'MB')})"
        if "errors" in r:
            extra = (
                f" ({r['requests']:,} req, {r['errors']} errors, server peak {number(r['server_peak_rss_mb'], 'MB')})"
            )
        lines.append(
            f"| {r['id']} | {r['db']} | {r['items']:,} | {number(r['median'], unit)}{extra} | "
            f"{number(r.get('p95'), 'ms' if unit != 's' else 's')} | "
            f"{number(base.get('median'), base.get('unit', unit))} | "
            f"{number(r.get('ratio'))} | {r.get('target', '')} | {'yes' if r.get('met') else '**no**'} |"
        )
    details = ["", "What each row measured, and the command that produced it:", ""]
    for r in rows:
        base = r.get("baseline", {}).get("what")
        details.append(
            f"- **{r['id']}**, {r['db']}, {r['items']:,} items ({r['measured_at']}): {r['what']}"
            + (f"; baseline: {base}" if base else "")
            + f". `{r['command']}`"
        )
    return "\n".join(lines + details)


def write_markdown(md_path: Path, rows: list[dict]) -> None:
    block = f"{START}\n{table(rows)}\n{END}"
    if md_path.exists():
        text = md_path.read_text(encoding="utf-8")
        if START in text and END in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1]
            md_path.write_text(before + block + after, encoding="utf-8")
            return
        md_path.write_text(text.rstrip() + "\n\n" + block + "\n", encoding="utf-8")
        return
    md_path.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")
