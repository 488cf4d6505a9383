"""Coefficients for a subtree, now from rollups and on a past day from the ledger."""

from datetime import date
from decimal import Decimal

from materiel.catalog.models import AuthorizedHolding, CoefficientPolicy
from materiel.ledger import coefficients, services
from materiel.units.models import Unit

D = date(2021, 1, 1)


def receive(world, serial, unit, grade, etype=None, day=D):
    actor = world.officer if unit.path.startswith(world.province_a.path) else world.outsider
    return services.record_receipt(
        equipment_type=etype or world.rifle, serial=serial, unit=unit, grade=grade, occurred_on=day, actor=actor
    ).item


def test_grade_distribution_and_coefficient_of_a_subtree(world):
    for n, grade in enumerate([1, 2, 2, 3, 4]):
        receive(world, f"A{n}", world.district_a1, grade)
    receive(world, "T1", world.district_a2, 1, world.truck)
    receive(world, "B1", world.post_b1, 5)
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=3, quantity=1000, occurred_on=D, actor=world.officer
    )
    summary = coefficients.summarise(world.province_a)
    assert summary.overall.by_grade == {1: 2, 2: 2, 3: 1, 4: 1, 5: 0}
    assert summary.coefficient == Decimal("66.7")  # 4 of 6 serialised items in grades 1–2; ammunition apart
    lines = {line.category.code: line for line in summary.lines}
    assert lines["vkbb"].coefficient == Decimal("60.0") and lines["xe"].coefficient == Decimal("100.0")
    assert lines["dan"].tally.total == 1000 and lines["dan"].coefficient == Decimal("0.0")
    assert coefficients.summarise(world.region).overall.total == 7


def test_disposed_and_lost_items_leave_the_coefficient(world):
    item = receive(world, "A1", world.district_a1, 4)
    receive(world, "A2", world.district_a1, 1)
    services.record_await_disposal(item, occurred_on=D, actor=world.officer)
    services.record_disposal(item, occurred_on=D, actor=world.officer, reason="QĐ thanh lý")
    summary = coefficients.summarise(world.province_a)
    assert (summary.overall.total, summary.coefficient) == (1, Decimal("100.0"))


def test_the_policy_decides_which_grades_count_as_serviceable(world):
    for n, grade in enumerate([1, 2, 3, 3]):
        receive(world, f"A{n}", world.district_a1, grade)
    CoefficientPolicy.objects.create(
        valid_from=date(2022, 1, 1), serviceable_grades=[1, 2, 3], counted_grades=[1, 2, 3, 4, 5], decimals=2
    )
    assert coefficients.summarise(world.province_a).coefficient == Decimal("100.00")
    assert coefficients.summarise(world.province_a, date(2021, 6, 1)).coefficient == Decimal("50.0")


def test_fill_rate_caps_surplus_of_one_type(world):
    for n in range(3):
        receive(world, f"A{n}", world.district_a1, 2)
    AuthorizedHolding.objects.create(unit=world.district_a1, equipment_type=world.rifle, quantity=2, valid_from=D)
    AuthorizedHolding.objects.create(unit=world.district_a2, equipment_type=world.truck, quantity=2, valid_from=D)
    summary = coefficients.summarise(world.province_a)
    assert (summary.authorised, summary.filled, summary.fill_rate) == (4, 2, Decimal("50.0"))


def test_a_past_day_uses_the_state_and_tree_of_that_day(world):
    item = receive(world, "A1", world.district_a1, 2)
    services.record_grade_change(item, grade=4, reason="Kiểm tra", occurred_on=date(2023, 1, 1), actor=world.officer)
    services.record_transfer(
        item, to_unit=world.district_a2, occurred_on=date(2024, 1, 1), actor=world.officer, document_number="1/BB"
    )
    a1 = Unit.objects.get(pk=world.district_a1.pk)
    assert coefficients.summarise(a1, date(2022, 6, 1)).overall.by_grade[2] == 1
    assert coefficients.summarise(a1, date(2023, 6, 1)).overall.by_grade[4] == 1
    assert coefficients.summarise(a1, date(2024, 6, 1)).overall.total == 0
    assert coefficients.summarise(a1, date(2020, 6, 1)).overall.total == 0  # before it was received
    assert coefficients.summarise(world.district_a2).overall.by_grade[4] == 1


def test_children_summaries_rank_every_child(world):
    receive(world, "A1", world.district_a1, 1)
    receive(world, "A2", world.district_a2, 3)
    rows = {s.unit.code: s.coefficient for s in coefficients.children_summaries(world.province_a)}
    assert rows == {"huyen-a1": Decimal("100.0"), "huyen-a2": Decimal("0.0")}
    past = {s.unit.code: s.overall.total for s in coefficients.children_summaries(world.province_a, date(2020, 1, 1))}
    assert past == {"huyen-a1": 0, "huyen-a2": 0}
