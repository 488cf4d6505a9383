"""The unit tree: subtree queries, dated reorganisation, and rollups that follow the tree."""

from datetime import date

import pytest

from materiel.core.errors import DomainError
from materiel.equipment.models import Item, Status
from materiel.ledger import coefficients, services
from materiel.ledger import reorganisation as reorg
from materiel.ledger.models import Rollup
from materiel.ledger.verify import verify_ledger
from materiel.units.models import Unit, UnitChange, UnitKind
from materiel.units.tree import PastTree

REFORM = date(2025, 7, 1)


def held(unit, day=None):
    return coefficients.summarise(Unit.objects.get(pk=unit.pk), day).overall.total


def test_subtree_is_one_path_range(world):
    codes = set(Unit.objects.subtree_of(world.province_a).values_list("code", flat=True))
    assert codes == {"tinh-a", "huyen-a1", "huyen-a2", "xa-a1"}


def test_unit_codes_are_unique_and_names_required(world):
    kind = UnitKind.objects.get(code="commune-command")
    with pytest.raises(DomainError) as caught:
        reorg.create_unit(
            code="xa-a1", name="X", kind=kind, parent=world.district_a1, founded_on=REFORM, actor=world.officer
        )
    assert caught.value.field == "code"
    with pytest.raises(DomainError):
        reorg.create_unit(
            code="xa-new", name=" ", kind=kind, parent=world.district_a1, founded_on=REFORM, actor=world.officer
        )


def test_move_carries_subtree_and_its_rollups(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.commune_a1, occurred_on=date(2021, 1, 1), actor=world.officer, document_number="1"
    )
    reorg.move_unit(world.commune_a1, new_parent=world.district_a2, on=REFORM, actor=world.officer)
    commune = Unit.objects.get(pk=world.commune_a1.pk)
    assert commune.parent == world.district_a2 and commune.path.startswith(world.district_a2.path)
    assert held(world.district_a1) == 0 and held(world.district_a2) == 1 and held(world.province_a) == 1
    # On a day before the move, the commune and its rifle still count under district A1.
    assert held(world.district_a1, date(2022, 1, 1)) == 1 and held(world.district_a2, date(2022, 1, 1)) == 0
    assert verify_ledger().ok


def test_a_unit_cannot_move_under_its_own_subtree(world):
    with pytest.raises(DomainError):
        reorg.move_unit(world.district_a1, new_parent=world.commune_a1, on=REFORM, actor=world.officer)


def test_rename_keeps_the_old_name_for_past_days(world):
    reorg.rename_unit(world.district_a1, name="Ban CHPTKV 1", on=REFORM, actor=world.officer)
    assert PastTree(date(2024, 1, 1)).name[world.district_a1.pk] == "Ban CHQS huyện Bát Xát"
    assert PastTree(REFORM).name[world.district_a1.pk] == "Ban CHPTKV 1"


def test_dissolving_a_unit_that_still_has_sub_units_or_equipment_is_refused(world, rifle_in_a1):
    with pytest.raises(DomainError) as caught:
        reorg.dissolve_unit(world.district_a1, on=REFORM, actor=world.officer)
    assert "trực thuộc" in caught.value.message
    reorg.dissolve_unit(Unit.objects.get(pk=world.commune_a1.pk), on=REFORM, actor=world.officer)
    with pytest.raises(DomainError) as caught:
        reorg.dissolve_unit(Unit.objects.get(pk=world.district_a1.pk), on=REFORM, actor=world.officer)
    assert "1 trang bị" in caught.value.message
    with pytest.raises(DomainError):
        services.record_receipt(
            equipment_type=world.rifle,
            serial="AK-late",
            unit=Unit.objects.get(pk=world.commune_a1.pk),
            grade=1,
            occurred_on=REFORM,
            actor=world.officer,
        )


def test_merge_transfers_equipment_by_ledger_events_and_past_reports_keep_the_old_tree(world, rifle_in_a1):
    kind = UnitKind.objects.get(code="regional-defence-command")
    region = reorg.create_unit(
        code="ptkv1", name="Ban CHPTKV 1", kind=kind, parent=world.province_a, founded_on=REFORM, actor=world.officer
    )
    reorg.merge_units(
        [world.district_a1, world.district_a2], into=region, on=REFORM, actor=world.officer, document="QĐ 99"
    )
    item = Item.objects.get(pk=rifle_in_a1.pk)
    assert item.unit == region and item.events.filter(kind="transfer", occurred_on=REFORM).exists()
    assert Unit.objects.get(pk=world.commune_a1.pk).parent == region
    assert Unit.objects.get(pk=world.district_a1.pk).dissolved_on == REFORM
    assert UnitChange.objects.filter(kind="merge").count() == 2
    assert held(region) == 1 and held(world.province_a) == 1
    # A 2024 review still rolls up through the districts as they were.
    assert held(world.district_a1, date(2024, 6, 30)) == 1
    assert PastTree(date(2024, 6, 30)).exists(region.pk) is False
    assert verify_ledger().ok


def test_split_hands_listed_items_to_each_part(world, rifle_in_a1):
    second = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-9",
        unit=world.district_a1,
        grade=1,
        occurred_on=date(2021, 1, 1),
        actor=world.officer,
    ).item
    kind = UnitKind.objects.get(code="regional-defence-command")
    north = reorg.create_unit(
        code="n", name="Khu vực Bắc", kind=kind, parent=world.province_a, founded_on=REFORM, actor=world.officer
    )
    south = reorg.create_unit(
        code="s", name="Khu vực Nam", kind=kind, parent=world.province_a, founded_on=REFORM, actor=world.officer
    )
    reorg.move_unit(world.commune_a1, new_parent=north, on=REFORM, actor=world.officer)
    reorg.split_unit(
        world.district_a1,
        parts=[(north, [rifle_in_a1]), (south, [second])],
        on=REFORM,
        actor=world.officer,
        document="QĐ 100",
    )
    assert Item.objects.get(pk=rifle_in_a1.pk).unit == north and Item.objects.get(pk=second.pk).unit == south
    assert Unit.objects.get(pk=world.district_a1.pk).dissolved_on == REFORM
    assert Rollup.objects.get(unit=world.province_a, grade=2, status=Status.IN_SERVICE).quantity == 1
    assert verify_ledger().ok
