"""Import batches and exports through the REST API: the same jobs, rules and files as the wizard."""

import io

import openpyxl
import pytest

from materiel.equipment.models import Item
from materiel.imports import jobs
from materiel.imports.models import ImportJob, JobState
from materiel.ledger.models import BatchStatus

from .test_api import Api, error
from .test_imports import register, xlsx


@pytest.fixture
def officer(world):
    return Api(world.officer)


@pytest.fixture
def commander(world):
    return Api(world.commander)


def send(api, data, unit="huyen-a1", name="so.xlsx", **form):
    file = io.BytesIO(data)
    file.name = name
    return api.client.post("/api/v1/imports", {"file": file, "unit": unit, **form}, **api.headers)


def test_upload_preview_commit_and_status(officer, world):
    response = send(officer, register())
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["state"] == "review" and job["unit"] == "huyen-a1"
    assert job["summary"]["rows"] == 4 and job["summary"]["issue_count"] == 0
    assert job["summary"]["columns"]["1"] == "serial"
    assert not Item.objects.exists()

    committed = officer.post(f"/imports/{job['id']}/commit", {})
    assert committed.status_code == 202 and committed.json()["state"] == "done"
    status = officer.get(f"/imports/{job['id']}").json()
    assert status["batch"] and status["message"] == "Đã nhập 3 trang bị và 1 lô."
    assert [j["id"] for j in officer.get("/imports", unit="tinh-a").json()["results"]] == [job["id"]]
    # Committing twice is a conflict, not a second batch.
    error(officer.post(f"/imports/{job['id']}/commit", {}), 409, "conflict", "state")


def test_columns_can_be_remapped_and_bad_mappings_are_refused(officer, world):
    data = xlsx([["TT", "Ký hiệu riêng", "Tên trang bị", "Phân cấp"], [1, "K-7", "AK-47", "2"]], title=False)
    job = send(officer, data).json()
    assert job["summary"]["issue_count"] == 1
    error(officer.post(f"/imports/{job['id']}/columns", {"columns": {"1": "nothing"}}), 422, "invalid", "columns")
    twice = {"columns": {"1": "serial", "2": "serial"}}
    error(officer.post(f"/imports/{job['id']}/columns", twice), 422, "invalid", "columns")
    mapping = {"columns": {"1": "serial", "2": "name", "3": "grade"}}
    remapped = officer.post(f"/imports/{job['id']}/columns", mapping)
    assert remapped.status_code == 202 and remapped.json()["summary"]["issue_count"] == 0


def test_validation_permission_and_scope(officer, commander, world):
    missing = officer.client.post("/api/v1/imports", {"unit": "huyen-a1"}, **officer.headers)
    error(missing, 422, "invalid", "file")
    refused = send(officer, b"%PDF-1.7").json()
    assert refused["state"] == "refused" and "không phải XLSX hay CSV" in refused["message"]
    error(send(officer, register(), unit="don-b1"), 404, "not_found")
    error(send(commander, register()), 403, "forbidden")
    job = send(officer, register()).json()
    error(commander.post(f"/imports/{job['id']}/commit", {}), 403, "forbidden")
    outsider = Api(world.outsider)
    error(outsider.get(f"/imports/{job['id']}"), 404, "not_found")
    error(outsider.post(f"/imports/{job['id']}/cancel", {}), 404, "not_found")


def test_cancel_a_waiting_job_and_a_finished_one_is_a_conflict(officer, world, monkeypatch):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)
    job = send(officer, register()).json()
    assert job["state"] == "queued" and job["progress"] is None or job["progress"]["phase"]
    cancelled = officer.post(f"/imports/{job['id']}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert ImportJob.objects.get(pk=job["id"]).state == JobState.CANCELLED
    error(officer.post(f"/imports/{job['id']}/cancel", {}), 409, "conflict", "state")


def workbook(response):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_exports_are_the_pages_files_with_the_same_filters(officer, world, rifle_in_a1):
    items = workbook(officer.get("/exports/items", unit="tinh-a", q="ak123"))
    assert "Tìm: ak123" in [r[0] for r in items]
    assert [r[1] for r in items if isinstance(r[0], int)] == ["AK123456"]
    events = workbook(officer.get("/exports/events", unit="huyen-a1", kind="receipt", since="2020-01-01"))
    assert "Từ ngày: 01/01/2020" in [r[0] for r in events]
    lots = workbook(officer.get("/exports/lots", unit="tinh-a"))
    assert lots[0][0] == "VẬT TƯ, ĐẠN DƯỢC THEO LÔ"
    error(officer.get("/exports/items", unit="tinh-b"), 404, "not_found")


def test_a_committed_batch_reverted_on_the_page_shows_in_the_api(client, officer, world):
    job = send(officer, register()).json()
    officer.post(f"/imports/{job['id']}/commit", {})
    client.force_login(world.officer)
    client.post(f"/nhap-xuat/nhap/{job['id']}/hoan-tac/", {"reason": "Sai tệp"})
    assert ImportJob.objects.get(pk=job["id"]).batch.status == BatchStatus.REVERTED


def test_lists_and_exports_refuse_other_subtrees_and_bad_filters(officer, commander, world):
    error(officer.get("/imports", unit="tinh-b"), 404, "not_found")
    error(officer.get("/imports", limit="nhieu"), 422, "invalid", "limit")
    error(officer.get("/exports/events", since="16/03/2022"), 422, "invalid", "since")
    error(officer.get("/exports/lots", grade="II"), 422, "invalid", "grade")
    error(officer.get("/exports/items", unit="don-b1"), 404, "not_found")
    # Reading roles may export what they see.
    assert commander.get("/exports/items", unit="tinh-a").status_code == 200
    unauthenticated = officer.client.get("/api/v1/exports/items")
    error(unauthenticated, 401, "unauthenticated")


def test_the_sheet_and_header_row_can_be_chosen(officer, world):
    from .registers import write

    header = ["Số hiệu", "Tên trang bị", "Cấp chất lượng"]
    data = write(
        [
            ("A", [header, ["AK-A", "Súng tiểu liên AK-47", 1]], []),
            ("B", [header, ["AK-B", "Súng tiểu liên AK-47", 2], [], header, ["AK-C", "Súng tiểu liên AK-47", 3]], []),
        ]
    )
    job = send(officer, data).json()
    assert job["summary"]["registers"] == ["A", "B"] and job["summary"]["issue_count"] == 1
    error(officer.post(f"/imports/{job['id']}/sheet", {"sheet": "C"}), 422, "invalid", "sheet")
    chosen = officer.post(f"/imports/{job['id']}/sheet", {"sheet": "B", "header_row": 4})
    assert chosen.status_code == 202, chosen.content
    summary = chosen.json()["summary"]
    assert (summary["sheet"], summary["header_row"], summary["issue_count"]) == ("B", 4, 0)
    assert [r["serial"] for r in summary["preview"]] == ["AK-C"]


def test_type_names_can_be_mapped(officer, world):
    from .registers import write

    data = write([("Sổ", [["Số hiệu", "Tên trang bị", "Cấp"], ["AK-T1", "AK báng gấp", 1]], [])])
    job = send(officer, data).json()
    assert job["summary"]["unknown_types"][0]["name"] == "AK báng gấp"
    error(officer.post(f"/imports/{job['id']}/types", {"types": {"AK báng gấp": "zzz"}}), 422, "invalid", "types")
    mapped = officer.post(f"/imports/{job['id']}/types", {"types": {"AK báng gấp": "ak47"}})
    assert mapped.status_code == 202 and mapped.json()["summary"]["issue_count"] == 0
    assert officer.post(f"/imports/{job['id']}/commit", {}).json()["state"] == "done"
