"""`materiel verify` finds every kind of tampering with the ledger, and passes on honest data."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.ledger.sealing import seal_ledger
from materiel.ledger.verify import verify_ledger

D = date(2021, 5, 1)


@pytest.fixture
def history(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="1/BB"
    )
    services.record_grade_change(rifle_in_a1, grade=3, reason="KT", occurred_on=D, actor=world.officer)
    return rifle_in_a1


def raw(sql, params=()):
    """Tamper as a database superuser would: on PostgreSQL with the append-only trigger switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


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
