"""Lean multi-row INSERTs for the batch path.

bulk_create spends most of its time compiling SQL per row; seeding a million items needs rows
prepared once per field type and sent with executemany. Used only by ledger.batch.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import DecimalField, Field, Model
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)
Converter = Callable[[Any], Any]
Getters = list[tuple[str, Converter | None]]

_BLANKS: dict[type[Model], dict[str, Any]] = {}


def new_instance(model: type[M], related: dict[str, Model] | None = None, **values: Any) -> M:
    """An unsaved instance without Model.__init__ (which costs more than hashing an event: the
    seeder builds millions): the fields' defaults, then `values` by attname; `related` fills the
    cache of foreign keys already at hand (instance.equipment_type then costs no query)."""
    blank = _BLANKS.get(model)
    if blank is None:
        blank = _BLANKS[model] = {
            f.attname: None if f.null else f.get_default() for f in model._meta.concrete_fields if not f.primary_key
        }
    obj = model.__new__(model)
    obj.__dict__.update(blank)
    obj.__dict__.update(values)
    for name, value in blank.items():  # fresh mutable defaults (JSON fields), never shared
        if isinstance(value, dict | list) and name not in values:
            obj.__dict__[name] = type(value)()
    obj._state = ModelState()
    if related:
        obj._state.fields_cache.update(related)
    pk = model._meta.pk.attname
    obj.__dict__.setdefault(pk, None)
    return obj


def _converter(field: Field[Any, Any]) -> Converter | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "JSONField":
        return lambda v: json.dumps(v, ensure_ascii=False)
    if kind == "DecimalField":
        decimal = cast("DecimalField[Any, Any]", field)  # what its internal type says it is
        return lambda v: ops.adapt_decimalfield_value(v, decimal.max_digits, decimal.decimal_places)
    return None


# A form's or a bulk action's events go in INSERT … RETURNING, which gives their ids in the same
# round trip (a COPY gives none: they would be looked up afterwards, and a handover links its lines
# to them); an import's or a seed's thousands go by COPY or executemany.
RETURNING_AT_MOST = 2000
# Bound parameters per statement: within SQLite's limit (32,766) and PostgreSQL's (65,535).
PARAMETERS_AT_MOST = 30_000


def _row(obj: Model, getters: Getters) -> list[Any]:
    row = []
    for attname, convert in getters:
        value = getattr(obj, attname)
        row.append(convert(value) if convert is not None and value is not None else value)
    return row


def _insert_returning(
    model: type[Model], fields: list[Field[Any, Any]], getters: Getters, objs: Sequence[Model]
) -> None:
    """One multi-row INSERT whose RETURNING sets each instance's id (rows come back in VALUES order,
    as Django's bulk_create also relies on)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = model._meta.pk
    rows_per_statement = max(1, PARAMETERS_AT_MOST // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), rows_per_statement):
            chunk = objs[start : start + rows_per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                f"RETURNING {quote(pk.column)}",
                [value for obj in chunk for value in _row(obj, getters)],
            )
            for obj, row in zip(chunk, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, row[0])
                obj._state.adding = False


def insert_instances(model: type[Model], objs: Sequence[Model], *, with_pk: bool, chunk: int = 2000) -> None:
    """INSERT the given unsaved instances as they are (no signals, no save()): executemany of one
    prepared statement on SQLite (in process; multi-row statements measured slower), COPY on
    PostgreSQL (executemany costs a statement per row there: a 100k-row import commit 102 s -> 64 s)."""
    if not objs:
        return  # a batch of events on existing items has no new items: no COPY round trip
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    getters = [(f.attname, _converter(f)) for f in fields]
    if not with_pk and len(objs) <= RETURNING_AT_MOST and connection.features.can_return_rows_from_bulk_insert:
        _insert_returning(model, fields, getters, objs)
        return
    if connection.vendor == "postgresql":
        _copy(model, fields, getters, objs)
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            cursor.executemany(sql, [_row(obj, getters) for obj in objs[start : start + chunk]])


def _copy(model: type[Model], fields: list[Field[Any, Any]], getters: Getters, objs: Sequence[Model]) -> None:
    """PostgreSQL: COPY, which skips building and parsing a statement per few hundred rows."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row(_row(obj, getters))
