"""Import jobs whose worker is gone: a real `materiel db_worker` subprocess is killed with SIGKILL in
the middle of a commit; its lease expires, the job is marked failed with the reason, nothing was
written, and it can be retried or cancelled."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from materiel.equipment.models import Item
from materiel.imports import jobs, progress, steps
from materiel.imports.models import ImportJob, JobState
from materiel.ledger.models import Batch
from materiel.ledger.verify import verify_ledger

from .test_imports import HEADER, xlsx

ROWS = 6000
LEASE = 2


def big_register(rows: int = ROWS) -> bytes:
    row = ["Súng tiểu liên AK-47", "Cấp 1", 2015, date(2022, 3, 16), None, "", ""]
    body = [[i, f"KX{i:06}", *row] for i in range(1, rows + 1)]
    return xlsx([HEADER, *body], title=False)


def start_worker() -> subprocess.Popen:
    """The real worker command, on the test database, sharing our progress folder, with a short lease."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        MATERIEL_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
        MATERIEL_IMPORT_LEASE_SECONDS=str(LEASE),
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    materiel = Path(sys.executable).with_name("materiel")
    command = [str(materiel), "db_worker", "--interval", "0.1", "--no-startup-delay"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queued_commit(client, settings, monkeypatch):
    """A checked file of ROWS items, confirmed by the officer, waiting in the queue for the worker."""
    from .factories import build_world

    settings.IMPORT_LEASE_SECONDS = LEASE
    world = build_world()
    client.force_login(world.officer)
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10 * 2**20)  # checked at once, in this process
    job = steps.create_job(world.officer, world.province_a, "so-lon.xlsx", big_register())
    assert job.state == JobState.REVIEW and job.summary["rows"] == ROWS, job.summary.get("issues")
    steps.start_commit(job, force=False, skip_duplicates=False)
    assert job.state == JobState.COMMIT_QUEUED
    return job


def kill_mid_commit(job: ImportJob) -> None:
    worker = start_worker()
    try:
        live = wait_for(lambda: (progress.read(job.key) or {}).get("phase") == "writing", 25, "the commit to write")
        assert live
        assert ImportJob.objects.get(pk=job.pk).state == JobState.COMMITTING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(5)


@pytest.mark.django_db(transaction=True)
def test_a_commit_whose_worker_was_killed_fails_with_its_reason_and_can_be_retried(client, queued_commit):
    job = queued_commit
    kill_mid_commit(job)
    # Nothing of the interrupted transaction is left.
    assert not Item.objects.exists() and not Batch.objects.exists()
    # Within the lease the job still looks alive; once it expires, the next look marks it failed.
    time.sleep(LEASE + 0.5)
    answer = client.get(f"/api/v1/imports/{job.pk}").json()
    assert answer["state"] == "failed", answer
    assert "dừng giữa chừng" in answer["message"] and "không dòng nào được ghi" in answer["message"]
    page = client.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert "Không ghi được" in page and "Thử lại" in page
    # A commit is refused with the way out; a retry runs the commit again, to the end.
    refused = client.post(f"/api/v1/imports/{job.pk}/commit", {}, content_type="application/json")
    assert refused.status_code == 409 and "Thử lại" in refused.json()["message"]
    retried = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert retried.status_code == 202 and retried.json()["state"] == "commit_queued", retried.json()
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message
    assert Item.objects.count() == ROWS and Batch.objects.count() == 1
    assert verify_ledger().ok


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_job_whose_worker_is_gone_acts(client, queued_commit):
    job = queued_commit
    kill_mid_commit(job)
    time.sleep(LEASE + 0.5)
    answer = client.post(f"/api/v1/imports/{job.pk}/cancel")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled", answer.json()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and bytes(job.data) == b""
    again = client.post(f"/api/v1/imports/{job.pk}/cancel")
    assert again.status_code == 409 and "đã kết thúc" in again.json()["message"]
    assert not Item.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_commit_that_a_live_worker_is_writing_answers_at_once_and_rolls_back(client, queued_commit):
    job = queued_commit
    assert client.get(f"/nhap-xuat/nhap/{job.pk}/").status_code == 200  # a warm server, a fresh session
    worker = start_worker()
    try:
        wait_for(lambda: (progress.read(job.key) or {}).get("phase") == "writing", 25, "the commit to write")
        started = time.monotonic()
        answer = client.post(f"/nhap-xuat/nhap/{job.pk}/huy/")
        # The worker holds SQLite's write lock: the answer must not wait for it (nor write the session).
        # Had it waited, the commit would have ended first and the job be done, not cancelled.
        assert time.monotonic() - started < 10
        assert answer.status_code == 302 and answer.cookies["messages"].value  # "Đã gửi yêu cầu hủy…"
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).state == JobState.CANCELLED, 25, "the worker to stop")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(5)
    assert not Item.objects.exists() and not Batch.objects.exists()


def test_cancelling_a_running_job_with_a_live_worker_says_it_was_asked(client, world, settings):
    settings.IMPORT_LEASE_SECONDS = 30
    client.force_login(world.officer)
    job = ImportJob.objects.create(unit=world.province_a, created_by=world.officer, file_name="x.xlsx", data=b"x")
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.COMMITTING)
    progress.beat(job.key)
    answer = client.post(f"/api/v1/imports/{job.pk}/cancel")
    assert answer.status_code == 202, answer.content
    assert answer.json()["state"] == "committing" and answer.json()["progress"]["phase"] == "cancelling"
    assert "yêu cầu hủy" in answer.json()["message"]
    assert progress.cancel_requested(job.key)
    page = client.post(f"/nhap-xuat/nhap/{job.pk}/huy/", follow=True).content.decode()
    assert "yêu cầu hủy" in page
    progress.clear(job.key)


def test_a_check_whose_process_is_gone_fails_and_a_retry_checks_the_file_again(client, world, settings, monkeypatch):
    from .test_imports import register

    settings.IMPORT_LEASE_SECONDS = 30
    client.force_login(world.officer)
    monkeypatch.setattr(jobs, "INLINE_BYTES", 0)
    job = steps.create_job(world.officer, world.province_a, "so.xlsx", register())
    assert job.state == JobState.QUEUED
    # A worker claimed it and died before its first renewal: no lease at all.
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.CHECKING)
    page = client.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert "Không ghi được" in page and "Tiến trình kiểm tra tệp đã dừng giữa chừng" in page
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10 * 2**20)
    assert client.post(f"/nhap-xuat/nhap/{job.pk}/thu-lai/").status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.REVIEW and job.summary["rows"] == 4 and job.message == ""
    again = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
