"""`materiel bench` end to end at a tiny scale, on the test database (not timed: numbers only exist).

transactional_db: the import worker and the gunicorn workers are other processes and must see the
generated data set, so it is committed (and flushed after the test).
"""

import json

import pytest
from django.core.management import call_command

from materiel.bench import report
from materiel.ledger.verify import verify_ledger

SCENARIOS = [
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
]


@pytest.mark.django_db(transaction=True)
def test_bench_runs_every_scenario_and_writes_json_and_markdown(tmp_path):
    output = tmp_path / "docs" / "benchmarks.md"
    output.parent.mkdir()
    output.write_text("# Benchmarks\n\nHand-written text stays.\n", encoding="utf-8")
    call_command(
        "bench",
        items=300,
        repeat=2,
        import_rows=150,
        clients=4,
        http_seconds=1,
        http_requests=100,
        output=str(output),
    )
    rows = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))["results"]
    ids = [r["id"] for r in rows]
    assert ids[: len(SCENARIOS)] == SCENARIOS
    pages = ids[len(SCENARIOS) :]
    assert {"P1 dashboard", "P1 register", "P1 events log", "P1 import/export", "P1 catalogue"} <= set(pages)
    assert all(p.startswith("P1 ") for p in pages)
    for row in rows:
        assert row["items"] == 300 and row["db"] in ("sqlite", "postgres")
        assert isinstance(row["median"], int | float) and row["median"] > 0, row
        assert row["command"].startswith("materiel bench")
        assert "target" in row and isinstance(row["met"], bool)
    by_id = {r["id"]: r for r in rows}
    assert by_id["Q1"]["baseline"]["median"] > 0 and by_id["Q1"]["ratio"] > 0
    assert by_id["I1"]["peak_rss_mb"] > 0 and by_id["I1"]["baseline"]["median"] > 0
    assert by_id["I1"]["detail"]["items"] == 150
    assert by_id["H1 dashboard"]["requests"] > 0 and by_id["H1 dashboard"]["server_peak_rss_mb"] > 0
    assert by_id["H1 register"]["errors"] == 0
    assert by_id["M1"]["baseline"]["median"] > 0 and "due board" in by_id["M1"]["what"]
    assert 0 < by_id["M2"]["tasks"] <= 300 and by_id["M2"]["events"] >= by_id["M2"]["tasks"]
    assert "repair orders" in by_id["M3"]["what"]
    assert by_id["N1"]["obligations"] > 0 and by_id["N1"]["runs"] > 0
    assert 0 < by_id["N2"]["run_items"] <= 60 and by_id["N2"]["events"] == 2
    assert by_id["C1"]["sheets"] > 1 and by_id["C1"]["lines"] > 0
    assert 0 < by_id["C2"]["lines"] <= 5000 and by_id["C2"]["events"] > 0
    assert by_id["C3"]["sheets"] > 1
    text = output.read_text(encoding="utf-8")
    assert "Hand-written text stays." in text
    for scenario in SCENARIOS:
        assert f"| {scenario} | {rows[0]['db']} | 300 |" in text
    # The generated data set holds: hashes, links, projections and rollups (W1 wrote through services;
    # the import was rolled back).
    assert verify_ledger().ok


def test_results_of_other_scales_and_databases_are_kept(tmp_path):
    path = tmp_path / "benchmarks.json"
    first = report.stamp(
        [{"id": "Q2", "what": "x", "median": 5.0, "p95": 6.0, "runs": 3}], db="sqlite", items=100, command="a"
    )
    report.merge(path, first)
    second = report.stamp(
        [{"id": "Q2", "what": "y", "median": 7.0, "p95": 8.0, "runs": 3}], db="postgres", items=100, command="b"
    )
    report.merge(path, second)
    again = report.stamp(
        [{"id": "Q2", "what": "z", "median": 9.0, "p95": 9.5, "runs": 3}], db="sqlite", items=100, command="c"
    )
    merged = report.merge(path, again)
    assert sorted((r["db"], r["what"]) for r in merged) == [("postgres", "y"), ("sqlite", "z")]
    md = tmp_path / "benchmarks.md"
    report.write_markdown(md, merged)
    report.write_markdown(md, merged)
    assert md.read_text(encoding="utf-8").count(report.START) == 1
    assert "| Q2 | postgres | 100 | 7 ms |" in md.read_text(encoding="utf-8")
