"""`materiel verify` finds every kind of tampering with the ledger, and passes on honest data."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core.management import CommandError, call_command

from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.hashing import GENESIS, event_hash, seal_digest
from materiel.ledger.management.commands import seal as command
from materiel.ledger.models import Event, LedgerSeal
from materiel.ledger.sealing import seal_ledger
from materiel.ledger.verify import verify_ledger

from .tampering import raw

D = date(2021, 5, 1)
# Tampering goes through the owner's own connection on PostgreSQL, which sees committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def history(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="1/BB"
    )
    services.record_grade_change(rifle_in_a1, grade=3, reason="KT", occurred_on=D, actor=world.officer)
    return rifle_in_a1


def test_verify_passes_and_the_command_says_so(history, capsys):
    assert verify_ledger().ok
    call_command("verify")
    assert "toàn vẹn" in capsys.readouterr().out


def test_an_edited_event_is_detected(history):
    raw("UPDATE ledger_event SET document_number = 'giả mạo' WHERE kind = 'transfer'")
    report = verify_ledger()
    assert any("mã băm" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify")


def test_a_deleted_middle_event_breaks_the_chain(history):
    raw("DELETE FROM ledger_event WHERE kind = 'transfer'")
    assert any("chuỗi băm" in p for p in verify_ledger().problems)


def test_a_deleted_last_event_is_caught_by_the_chain_head(history):
    last = Event.objects.filter(item=history).order_by("-id").first()
    raw("DELETE FROM ledger_event WHERE id = %s", [last.pk])
    assert any("đầu chuỗi" in p for p in verify_ledger().problems)


def test_a_projection_changed_behind_the_ledger_is_caught(history):
    Item.objects.filter(pk=history.pk).update(grade=1)
    report = verify_ledger()
    assert any("phát lại" in p for p in report.problems)
    assert any("tổng hợp" in p for p in report.problems) is False  # rollups were untouched and still agree


def test_a_whole_stream_removed_after_sealing_is_caught_by_the_seal(world, history):
    other = services.record_receipt(
        equipment_type=world.rifle, serial="AK-2", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    assert seal_ledger(settle=timedelta(0)) is not None
    raw("DELETE FROM ledger_event WHERE item_id = %s", [other.pk])
    raw("DELETE FROM ledger_rollup")
    raw("DELETE FROM equipment_item WHERE id = %s", [other.pk])
    problems = verify_ledger().problems
    assert any("Niêm phong" in p for p in problems)


# -- Keyed seals and the seal file ------------------------------------------------------------------
def seal_now():
    seal = seal_ledger(settle=timedelta(0))
    assert seal is not None
    return seal


def test_seal_is_keyed_and_written_to_the_seal_file(history, settings, capsys):
    seal = seal_now()
    assert seal.algorithm == "hmac-sha256" and len(seal.key_id) == 16
    key_file = settings.MATERIEL_SEAL_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    lines = settings.MATERIEL_SEAL_FILE.read_text().splitlines()
    assert lines[0].startswith("#")
    assert lines[1].endswith(f"#{seal.first_event_id}  #{seal.last_event_id}  {seal.event_count}  {seal.digest}")
    assert verify_ledger().ok


def test_the_seal_command_prints_the_digest_range_and_count(world, rifle_in_a1, settings, capsys, monkeypatch):

    monkeypatch.setattr(command, "seal_ledger", partial(seal_ledger, settle=timedelta(0)))
    call_command("seal")
    out = capsys.readouterr().out
    seal = LedgerSeal.objects.get()
    assert f"#{seal.first_event_id}–#{seal.last_event_id} (1 sự kiện)" in out
    assert f"Mã niêm phong: {seal.digest}" in out
    assert str(settings.MATERIEL_SEAL_FILE) in out
    call_command("seal")
    assert "Không có sự kiện mới" in capsys.readouterr().out


def test_deleting_the_newest_sealed_event_and_restoring_the_item_row_is_caught(history):
    """What the chains alone miss: the last event gone and the item's row put back as it was before it.
    Once the event is sealed, the seal no longer matches (before sealing nothing can tell)."""
    last = Event.objects.filter(item=history).order_by("-id").first()
    before = Event.objects.filter(item=history).order_by("-id")[1]
    seal_now()
    raw("DELETE FROM ledger_event WHERE id = %s", [last.pk])
    raw(
        "UPDATE equipment_item SET grade = %s, chain_head = %s WHERE id = %s",
        [before.grade_after, before.hash, history.pk],
    )
    problems = [p for p in verify_ledger().problems if "tổng hợp" not in p]  # rollups: left for the attacker
    assert problems and all(p.startswith("Niêm phong") for p in problems)  # chains and item agree again


def test_a_rewritten_sealed_event_with_recomputed_hashes_and_seals_is_caught(history):
    """A database writer without the key recomputes the event's hash, the chain after it, and every
    seal the only way it can without the key: unkeyed (a key of its own fails the HMAC and the key id)."""

    seal_now()
    events = list(Event.objects.filter(item=history).order_by("id"))
    prev = events[0].prev_hash
    for event in events:  # rewrite the transfer's document number and re-chain the stream
        event.prev_hash = prev
        if event.kind == "transfer":
            event.document_number = "giả mạo"
        event.hash = event_hash(event)
        raw(
            "UPDATE ledger_event SET document_number = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.document_number, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    raw("UPDATE equipment_item SET chain_head = %s WHERE id = %s", [prev, history.pk])
    seal = LedgerSeal.objects.get()
    hashes = list(Event.objects.order_by("id").values_list("hash", flat=True))
    forged = seal_digest(seal.prev_digest, hashes)
    raw("UPDATE ledger_ledgerseal SET digest = %s, algorithm = 'sha256', key_id = '' WHERE id = %s", [forged, seal.pk])
    problems = verify_ledger().problems
    assert not any("mã băm" in p or "chuỗi" in p for p in problems)  # hashes and chains recomputed well
    assert any("khác với tệp niêm phong" in p for p in problems)


def test_verify_reports_a_seal_missing_from_the_file_a_different_digest_and_a_line_without_seal(
    history, settings, world
):
    first = seal_now()
    services.record_grade_change(history, grade=4, reason="KT", occurred_on=D, actor=world.officer)
    second = seal_now()
    path = settings.MATERIEL_SEAL_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + lines[1].replace(first.digest, "0" * 64))  # line 2 changed, line 3 gone
    problems = verify_ledger().problems
    assert any(f"#{first.first_event_id}–#{first.last_event_id}: mã niêm phong khác" in p for p in problems)
    assert any(f"#{second.first_event_id}–#{second.last_event_id}: không có trong tệp" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify")

    path.write_text("".join(lines) + f"2026-01-01 00:00:00Z  #{second.first_event_id}  #999999  1  {'1' * 64}\n")
    assert verify_ledger().problems == [
        f"Tệp niêm phong, dòng 4: niêm phong sự kiện #{second.first_event_id}–#999999 không có trong cơ sở dữ liệu."
    ]


def test_a_missing_key_or_another_key_is_reported(history, settings):
    seal_now()
    key_file = settings.MATERIEL_SEAL_KEY_FILE
    key_file.unlink()
    assert any("Không đọc được khóa niêm phong" in p for p in verify_ledger().problems)
    key_file.write_text("x" * 64)
    assert any("không phải khóa hiện có" in p for p in verify_ledger().problems)


def test_old_unkeyed_seals_still_verify_and_are_counted(history, world):
    """Seals stored before HMAC (migration ledger/0007 marks them sha256) are checked as they were."""

    hashes = list(Event.objects.order_by("id").values_list("hash", flat=True))
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    LedgerSeal.objects.create(
        first_event_id=1,
        last_event_id=ids[-1],
        event_count=len(hashes),
        prev_digest=GENESIS,
        digest=seal_digest(GENESIS, hashes),
        algorithm="sha256",
    )
    report = verify_ledger()
    assert report.unkeyed == 1
    assert report.problems == []
    services.record_grade_change(history, grade=4, reason="KT", occurred_on=D, actor=world.officer)
    assert seal_now().algorithm == "hmac-sha256"  # the next seal is keyed, chained to the old one, in the file
    report = verify_ledger()
    assert report.unkeyed == 1 and report.ok
