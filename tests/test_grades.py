"""Issue #13 point 5: the grades are reference data (catalog.GradeDefinition), never a literal range.

The database allows grades 1 to 5 (a CHECK constraint on the definitions and on the items), so the data
can only drop grades today: these tests take grade 5 away and watch the form choices, the importer's
value check and grade columns, and the lists' grade columns follow.
"""

import io
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.signals import request_started
from django.db import close_old_connections, transaction
from django.urls import reverse
from django_tasks.signals import task_started

from materiel.catalog import grades
from materiel.catalog.grades import grade_numbers
from materiel.catalog.models import CoefficientPolicy, GradeDefinition
from materiel.imports import values
from materiel.imports.plan import build_plan
from materiel.imports.reader import read_table
from materiel.ledger import services
from materiel.reports.lists import coefficient_columns
from materiel.web.forms import GradeForm
from materiel.web.receipt_forms import ItemReceiptForm

from .registers import standard_form

D = date(2021, 1, 1)


@pytest.fixture(autouse=True)
def nothing_kept():
    """The numbers a test read stay in its rolled-back transaction."""
    grades.forget()
    yield
    grades.forget()


@pytest.fixture
def without_grade_5(world):
    GradeDefinition.objects.filter(grade=5).delete()
    return world


def choices(form) -> list[int]:
    return [value for value, _label in form.fields["grade"].choices]


def test_the_default_data_defines_grades_1_to_5(world):
    assert grade_numbers() == (1, 2, 3, 4, 5)
    assert choices(GradeForm()) == [1, 2, 3, 4, 5]
    assert [c.header for c in coefficient_columns()][4:9] == ["Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4", "Cấp 5"]
    with pytest.raises(values.BadValue, match="từ 1 đến 5"):
        values.grade("6")


def test_the_form_choices_follow_the_data(without_grade_5):
    assert grade_numbers() == (1, 2, 3, 4)
    assert choices(GradeForm()) == [1, 2, 3, 4]
    assert choices(ItemReceiptForm()) == [1, 2, 3, 4]


def test_the_import_value_check_and_its_message_follow_the_data(without_grade_5):
    assert values.grade("cấp IV") == 4
    for cell in ("5", "Cấp 5", "cấp V"):
        with pytest.raises(values.BadValue) as refused:
            values.grade(cell)
        assert str(refused.value) == "Cấp chất lượng phải từ 1 đến 4 (ví dụ 1, Cấp 2, cấp III)."


def test_an_import_column_of_a_grade_that_is_not_defined_is_refused_by_its_cells(without_grade_5):
    # The standard form has a column for each of Cấp 1 … Cấp 5; its rows use grades 1 and 2 only.
    plan = build_plan(
        read_table(standard_form(), "so.xlsx"), actor=without_grade_5.officer, unit=without_grade_5.district_a1
    )
    assert plan.ok, [str(i) for i in plan.issues]
    assert plan.columns[9] == "grade_5"

    book = openpyxl.load_workbook(io.BytesIO(standard_form("openpyxl")))
    sheet = book["Sổ VKTBKT"]
    row = next(r for r in sheet.iter_rows() if r[1].value == "AK-02")
    row[6].value, row[9].value = None, "x"  # AK-02 now marked in the column of grade 5
    out = io.BytesIO()
    book.save(out)
    plan = build_plan(
        read_table(out.getvalue(), "so.xlsx"), actor=without_grade_5.officer, unit=without_grade_5.district_a1
    )
    (issue,) = plan.issues
    assert issue.column.startswith("J") and "từ 1 đến 4" in issue.message


def test_the_lists_grade_columns_follow_the_data(without_grade_5, client):
    world = without_grade_5
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=100, occurred_on=D, actor=world.officer
    )
    assert [c.header for c in coefficient_columns()][4:] == [
        "Cấp 1",
        "Cấp 2",
        "Cấp 3",
        "Cấp 4",
        "Hệ số đồng bộ",
        "Không đồng bộ",
        "Biên chế",
        "Hiện có theo biên chế",
    ]

    client.force_login(world.officer)
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/bao-cao/he-so-don-vi/?unit=tinh-a&format=xlsx").streaming_content)),
        read_only=True,
    )
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    header = next(r for r in rows if r[0] == "Mã đơn vị")
    assert header[4:8] == ["Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4"] and header[-2:] == ["Biên chế", "Hiện có theo biên chế"]
    assert all(len(r) == len(header) for r in rows if r[0] in ("tinh-a", "huyen-a1"))

    # The dashboard's table of lots has a column per defined grade too.
    html = client.get(reverse("web:dashboard")).content.decode()
    lots = html[html.index('data-testid="lot-table"') :]
    lots = lots[: lots.index("</thead>")]
    assert "Cấp 4" in lots and "Cấp 5" not in lots


def test_without_a_policy_the_coefficient_counts_every_defined_grade(without_grade_5):
    CoefficientPolicy.objects.all().delete()
    assert CoefficientPolicy.objects.in_force(D).counted_grades == [1, 2, 3, 4]


def test_an_edit_is_seen_at_once_and_a_rolled_back_one_leaves_nothing_behind(world):
    assert grade_numbers() == (1, 2, 3, 4, 5)
    with transaction.atomic():
        GradeDefinition.objects.filter(grade=5).delete()
        assert grade_numbers() == (1, 2, 3, 4)  # the writing process sees its edit at once
        transaction.set_rollback(True)
    assert grade_numbers() == (1, 2, 3, 4, 5)  # and nothing of the rolled-back write is kept


def test_the_numbers_are_read_once_until_the_next_request_or_task(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert grade_numbers() == grade_numbers() == (1, 2, 3, 4, 5)
    # Another process's edit sends no signal here; the next request reads it.
    GradeDefinition.objects.filter(grade=5).update(valid_to=D)
    with django_assert_num_queries(0):
        grade_numbers()
    # As the test client does, without closing the test's connection at the start of a "request".
    request_started.disconnect(close_old_connections)
    try:
        task = SimpleNamespace(id="t", task=SimpleNamespace(module_path="materiel.imports.tasks"), status="RUNNING")
        for signal, extra in ((request_started, {}), (task_started, {"task_result": task})):
            signal.send(sender=None, **extra)
            with django_assert_num_queries(1):
                grade_numbers()
    finally:
        request_started.connect(close_old_connections)


def test_an_emptied_table_reads_as_the_default_data(world):
    GradeDefinition.objects.all().delete()
    assert grade_numbers() == (1, 2, 3, 4, 5)
