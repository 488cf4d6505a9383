"""Historical registers into new units: a regional defence command founded on 01/07/2025 in place of
a district command imports equipment the district received years before. The preview finds every
row the ledger would refuse; the two ways of recording them write through the batch path."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from materiel.equipment.models import Item, Lot
from materiel.imports.commit import commit_plan
from materiel.imports.models import ImportJob, JobState
from materiel.imports.plan import build_plan
from materiel.imports.reader import read_table
from materiel.ledger import reorganisation as reorg
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger
from materiel.units.models import UnitKind

from .registers import write

REFORM = date(2025, 7, 1)
HEADER = ["STT", "Số hiệu", "Tên trang bị", "Cấp chất lượng", "Số lượng", "Ngày tiếp nhận"]


@pytest.fixture
def reformed(world):
    return reform(world)


def reform(world):
    """District A1 dissolved on 01/07/2025; its commune moved under the regional command founded that day."""
    region = reorg.create_unit(
        code="ptkv-a1",
        name="Ban CHPTKV 1 – Bát Xát",
        kind=UnitKind.objects.get(code="regional-defence-command"),
        parent=world.province_a,
        founded_on=REFORM,
        actor=world.admin,
        document="QĐ 123/QĐ-BCH",
    )
    reorg.move_unit(world.commune_a1, new_parent=region, on=REFORM, actor=world.admin, document="QĐ 123/QĐ-BCH")
    world.district_a1.refresh_from_db()
    reorg.dissolve_unit(world.district_a1, on=REFORM, actor=world.admin, document="QĐ 123/QĐ-BCH")
    region.refresh_from_db()
    return region


def history_file(writer="xlsxwriter") -> bytes:
    rows = [
        [1, "AK-H1", "Súng tiểu liên AK-47", 1, None, "16/03/2018"],
        [2, "AK-H2", "Súng tiểu liên AK-47", 2, None, "01/08/2025"],
        [3, "", "Đạn 7,62mm K56", 1, 500, "2019"],
    ]
    return write([("Sổ", [HEADER, *rows], [])], writer)


def plan_for(world, region, writer="xlsxwriter", **options):
    return build_plan(read_table(history_file(writer), "lich-su.xlsx"), actor=world.officer, unit=region, **options)


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_the_preview_finds_every_row_dated_before_the_founding(world, reformed, writer):
    plan = plan_for(world, reformed, writer)
    assert [i.row for i in plan.issues] == [2, 4]  # every such row, not only the first
    assert str(plan.issues[0]).startswith("Dòng 2, cột F – Ngày tiếp nhận = “16/03/2018”: Ban CHPTKV 1 – Bát Xát")
    assert "thành lập ngày 01/07/2025, sau ngày tiếp nhận 16/03/2018" in plan.issues[0].message
    early = plan.early[reformed.pk]
    assert (early.rows, early.first_row, early.predecessor) == (2, 2, world.district_a1)
    assert early.candidates == [world.district_a1] and early.document == "QĐ 123/QĐ-BCH"


def test_received_by_the_unit_that_held_it_then_transferred_on_the_reorganisation_day(world, reformed):
    plan = plan_for(world, reformed, before_founding="transfer")
    assert plan.ok, [str(i) for i in plan.issues]
    batch = commit_plan(plan, actor=world.officer, unit=reformed)
    item = Item.objects.get(serial="AK-H1")
    assert (item.unit, item.received_on) == (reformed, date(2018, 3, 16))
    events = list(item.events.order_by("id").values_list("kind", "occurred_on", "unit__code", "document_number"))
    assert events == [
        (EventKind.RECEIPT, date(2018, 3, 16), "huyen-a1", ""),
        (EventKind.TRANSFER, REFORM, "ptkv-a1", "QĐ 123/QĐ-BCH"),
    ]
    assert Item.objects.get(serial="AK-H2").events.count() == 1  # received after the founding: as it was
    lots = dict(Lot.objects.values_list("unit__code", "quantity"))
    assert lots == {"huyen-a1": 0, "ptkv-a1": 500}
    assert Event.objects.filter(batch=batch, kind=EventKind.LOT_TRANSFER).count() == 2
    assert verify_ledger().ok


def test_or_received_on_the_founding_date_with_the_original_date_kept(world, reformed):
    plan = plan_for(world, reformed, before_founding="founding-date")
    assert plan.ok, [str(i) for i in plan.issues]
    commit_plan(plan, actor=world.officer, unit=reformed)
    item = Item.objects.get(serial="AK-H1")
    assert (item.unit, item.received_on, item.entered_service_on) == (reformed, REFORM, date(2018, 3, 16))
    receipt = item.events.get()
    assert receipt.occurred_on == REFORM and "16/03/2018" in receipt.reason
    lot_receipt = Event.objects.get(kind=EventKind.LOT_RECEIPT)
    assert lot_receipt.occurred_on == REFORM and "01/01/2019" in lot_receipt.reason
    assert verify_ledger().ok


def test_a_predecessor_that_did_not_exist_yet_is_found_by_the_preview_too(world, reformed):
    rows = [[1, "AK-H9", "Súng tiểu liên AK-47", 1, None, "01/01/2010"]]  # district A1 founded in 2015
    data = write([("Sổ", [HEADER, *rows], [])])
    plan = build_plan(read_table(data, "x.xlsx"), actor=world.officer, unit=reformed, before_founding="transfer")
    assert [str(i) for i in plan.issues] == [
        "Dòng 2, cột F – Ngày tiếp nhận = “01/01/2010”: "
        "Đơn vị Ban CHQS huyện Bát Xát chưa thành lập vào ngày 01/01/2010."
    ]


def test_the_command_line_dry_run_and_both_policies(world, reformed, tmp_path, capsys):
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(history_file())
    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("import", str(path), unit="ptkv-a1", user="tlkt-a", dry_run=True)
    err = capsys.readouterr().err
    assert "Dòng 2, cột F" in err and "Dòng 4, cột F" in err
    assert "--before-founding=transfer --predecessor ptkv-a1=MÃ" in err and "huyen-a1" in err
    call_command("import", str(path), unit="ptkv-a1", user="tlkt-a", dry_run=True, before_founding="transfer")
    assert "tiếp nhận tại Ban CHQS huyện Bát Xát, điều chuyển ngày thành lập" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cần dạng"):
        call_command("import", str(path), unit="ptkv-a1", user="tlkt-a", predecessor=["huyen-a1"])
    call_command(
        "import", str(path), unit="ptkv-a1", user="tlkt-a", before_founding="transfer", predecessor=["ptkv-a1=huyen-a1"]
    )
    assert Item.objects.get(serial="AK-H1").events.count() == 2 and verify_ledger().ok


def test_the_wizard_and_the_api_offer_both_policies(client, world, reformed):
    from .test_api import Api, error

    client.force_login(world.officer)
    file = io.BytesIO(history_file())
    file.name = "lich-su.xlsx"
    response = client.post("/nhap-xuat/tai-len/?unit=ptkv-a1", {"file": file})
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.summary["issue_count"] == 2
    assert job.summary["early_units"][0]["predecessor"] == "huyen-a1"
    page = client.get(f"/nhap-xuat/nhap/{job.pk}/").content.decode()
    assert 'data-testid="history"' in page and 'value="founding-date"' in page and 'name="pred-ptkv-a1"' in page
    client.post(f"/nhap-xuat/nhap/{job.pk}/truoc-thanh-lap/", {"policy": "founding-date"})
    job.refresh_from_db()
    assert job.summary["issue_count"] == 0 and job.summary["preview"][0]["received_on"] == "2025-07-01"

    api = Api(world.officer)
    error(api.post(f"/imports/{job.pk}/history", {"before_founding": "sometime"}), 422, "invalid", "before_founding")
    placed = api.post(
        f"/imports/{job.pk}/history", {"before_founding": "transfer", "predecessors": {"ptkv-a1": "huyen-a1"}}
    )
    assert placed.status_code == 202 and placed.json()["summary"]["issue_count"] == 0
    assert api.post(f"/imports/{job.pk}/commit", {}).json()["state"] == JobState.DONE
    assert Item.objects.get(serial="AK-H1").events.count() == 2 and verify_ledger().ok
