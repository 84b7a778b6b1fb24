"""Bulk inserts for the simulator: values in database form for `fastsql.Table` (raw
`executemany` in chunks, on SQLite and PostgreSQL), ids, sequences.

Django's `bulk_create` spends most of its time preparing each field of each object; at seed
scale (millions of rows) that dominates. Rows here are plain tuples whose values are already
in database form (see `db_datetime`, `db_date`), written in the column order of `fields`.
Foreign keys are DEFERRABLE INITIALLY DEFERRED on both databases, so tables can be filled in
any order inside the one transaction the simulator runs in.
"""

import datetime as dt
import json
from collections.abc import Sequence

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

from serendip.fastsql import Table

__all__ = ["Table", "db_date", "db_datetime", "db_json", "db_time", "m2m_table", "next_id", "reset_sequences"]


def db_datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def db_time(value: dt.time):
    return connection.ops.adapt_timefield_value(value)


def db_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def m2m_table(field) -> tuple[type[Model], str, str]:
    through = field.remote_field.through
    return through, field.m2m_column_name(), field.m2m_reverse_name()


def reset_sequences(models: Sequence[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def tune_connection() -> None:
    """Make a long bulk load cheaper: a bigger page cache on SQLite."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
            cursor.execute("PRAGMA temp_store = MEMORY")
