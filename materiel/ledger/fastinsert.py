"""Lean multi-row INSERTs for the batch path.

bulk_create spends most of its time compiling SQL per row; seeding a million items needs rows
prepared once per field type and sent with executemany. Used only by ledger.batch.
"""

import json

from django.db import connection


def _converter(field):
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "JSONField":
        return lambda v: json.dumps(v, ensure_ascii=False)
    if kind == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def insert_instances(model, objs, *, with_pk: bool, chunk: int = 2000) -> None:
    """INSERT the given unsaved instances as they are (no signals, no save())."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    getters = [(f.attname, _converter(f)) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            rows = []
            for obj in objs[start : start + chunk]:
                row = []
                for attname, convert in getters:
                    value = getattr(obj, attname)
                    row.append(convert(value) if convert is not None and value is not None else value)
                rows.append(row)
            cursor.executemany(sql, rows)
