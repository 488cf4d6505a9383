"""Which quality grades (cấp chất lượng) there are: the numbers that catalog.GradeDefinition defines.

Every list of grades reads them here, never as a literal range: the choices of the forms, the
importer's value check and grade columns, the lists' grade columns, the coefficient's default
denominator and the ledger's grade check (`check_grade`, with the messages below).

The numbers are read once and kept until the next request (or background task) starts, so a page
reads them once however many cells it fills, and an administrator's edit, made in any process, is
seen by every process's next request. The process that writes the definitions sees its edit at once:
a write drops the kept numbers, and none are kept while the transaction that wrote is open (a
rolled-back write must leave nothing behind).
"""

from importlib import import_module

from django.core.signals import request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from django_tasks.signals import task_started

DEFAULT_DATA = "materiel.catalog.migrations.0002_default_reference_data"

_kept: tuple[int, ...] | None = None
# The outermost transaction (atomic block) that wrote the definitions, while it is open.
_written_in: object | None = None


def grade_numbers() -> tuple[int, ...]:
    """The defined grade numbers in order, e.g. (1, 2, 3, 4, 5).

    A grade is defined while a GradeDefinition row names it, whatever the row's period (the period is
    that of its wording). An emptied table (a test database after a flush) reads as the default
    reference data that migration catalog/0002 loads."""
    global _kept, _written_in
    writing = _written_in is not None and _outermost_block() is _written_in
    if _written_in is not None and not writing:
        _written_in = None  # that transaction has ended, committed or rolled back
        _kept = None
    if _kept is not None:
        return _kept
    from .models import GradeDefinition

    found = tuple(GradeDefinition.objects.order_by("grade").values_list("grade", flat=True).distinct())
    if not found:
        found = tuple(grade for grade, _name, _meaning in _default_definitions())
    if not writing:
        _kept = found
    return found


def grade_span() -> tuple[int, int]:
    """The first and the last grade: the 1 and the 5 of "từ 1 đến 5"."""
    numbers = grade_numbers()
    return numbers[0], numbers[-1]


def not_a_number_message() -> str:
    """For a grade that is not a number: "Cấp chất lượng phải là một số từ 1 đến 5."."""
    first, last = grade_span()
    return _("Cấp chất lượng phải là một số từ %(first)d đến %(last)d.") % {"first": first, "last": last}


def not_a_grade_message(grade: object) -> str:
    """For a number that is no grade: "Cấp chất lượng 7 không hợp lệ: chỉ có cấp 1 đến 5."."""
    first, last = grade_span()
    return _("Cấp chất lượng %(grade)s không hợp lệ: chỉ có cấp %(first)d đến %(last)d.") % {
        "grade": grade,
        "first": first,
        "last": last,
    }


def forget(**_kwargs: object) -> None:
    """Drop the kept numbers: the next call reads the table (a new request or task starts)."""
    global _kept
    _kept = None


def connect() -> None:
    """Called by the catalog app's ready()."""
    from .models import GradeDefinition

    request_started.connect(forget, dispatch_uid="catalog.grades.request")
    task_started.connect(forget, dispatch_uid="catalog.grades.task")
    post_save.connect(_written, sender=GradeDefinition, dispatch_uid="catalog.grades.save")
    post_delete.connect(_written, sender=GradeDefinition, dispatch_uid="catalog.grades.delete")


def _written(**_kwargs: object) -> None:
    global _written_in
    forget()
    _written_in = _outermost_block()


def _outermost_block() -> object | None:
    blocks = connection.atomic_blocks
    return blocks[0] if blocks else None


def _default_definitions() -> list[tuple[int, str, str]]:
    """(grade, name, meaning) as migration catalog/0002 loads them (and demo.reference re-applies)."""
    definitions: list[tuple[int, str, str]] = import_module(DEFAULT_DATA).GRADES
    return definitions
