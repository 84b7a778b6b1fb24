"""Lean SQL for the few hot paths (bearer-token auth, check-in and the ledger's writes) and for
the simulator's bulk loads: the project's one raw-SQL builder.

Why: the ORM spends 0.1-0.5 ms building each statement, more than SQLite or a local
PostgreSQL takes to run it, and a check-in is about ten statements; through the ORM the
check-in endpoint ran at ~4% of a bare JSON view's requests/s (BENCHMARKS.md, "The check-in
goal"). These helpers build each statement's text once per process from the models' own
metadata, pass values through each field's `get_db_prep_save` on the way in and through the
same converters the ORM applies on the way out, so what is written and read is exactly what
the ORM would write and read. Everything that is not measurably hot uses the ORM.

`Table` is the bulk path (`serendip simulate`: millions of rows): rows already in database
form (simulation/bulk.py's `db_datetime`, `db_date`, ...), written with `executemany` in
chunks, because preparing each field of each row, as `insert_rows` does, dominated there.
"""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from django.db import connection
from django.db.models import Model


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _insert_sql(
    model: type[Model],
    fields: tuple[str, ...],
    rows: int,
    ignore_conflicts: bool,
    vendor: str,
    returning: bool = True,
) -> str:
    opts = model._meta
    columns = ", ".join(_qn(opts.get_field(f).column) for f in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {_qn(opts.db_table)} ({columns}) VALUES {', '.join([marks] * rows)}"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    return sql + (f" RETURNING {_qn(opts.pk.column)}" if rows == 1 and returning else "")


def _prep(field, value):
    if isinstance(value, Model):  # a related object given for its foreign key
        value = value.pk
    return field.get_db_prep_save(value, connection)


@cache
def _fields(model: type[Model], names: tuple[str, ...]) -> tuple:
    return tuple(model._meta.get_field(f) for f in names)


def insert(model: type[Model], values: Mapping[str, object], *, ignore_conflicts: bool = False) -> int | None:
    """INSERT one row of `model` (field names or attnames -> Python values, related objects for
    foreign keys); returns the new primary key.

    With `ignore_conflicts`, a row that would break a unique constraint is not written and
    None is returned (`ON CONFLICT DO NOTHING`: no error, so no savepoint is needed)."""
    names = tuple(values)
    sql = _insert_sql(model, names, 1, ignore_conflicts, connection.vendor)
    params = [_prep(f, values[name]) for f, name in zip(_fields(model, names), names, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """INSERT several rows of `model` in one statement (values in the order of `fields`)."""
    rows = list(rows)
    if not rows:
        return
    names = tuple(fields)
    sql = _insert_sql(model, names, len(rows), False, connection.vendor)
    prepared = _fields(model, names)
    params = [_prep(f, v) for row in rows for f, v in zip(prepared, row, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class Table:
    """Buffered rows for one model's table, in database form and in the order of `fields`;
    written with `executemany` every `chunk` rows and by `flush`."""

    def __init__(self, model: type[Model], fields: Sequence[str], *, chunk: int = 5000):
        self.model = model
        self.sql = _insert_sql(model, tuple(fields), 1, False, connection.vendor, returning=False)
        self.chunk = chunk
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
        self.written += len(self.rows)
        self.rows = []


@cache
def columns(model: type[Model], alias: str) -> str:
    """`alias."col", ...` for every concrete field, in the order `load` expects."""
    return ", ".join(f"{alias}.{_qn(f.column)}" for f in model._meta.concrete_fields)


@cache
def _loader(model: type[Model], vendor: str):
    fields = model._meta.concrete_fields
    converters = []
    for f in fields:
        col = f.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        converters.append((col, found))
    return [f.attname for f in fields], fields.index(model._meta.pk), converters


def load(model: type[Model], row: Sequence[object], start: int = 0) -> Model | None:
    """The instance for `row[start:]` as selected by `columns(model, ...)`; None for a row of
    NULLs from a LEFT JOIN that found nothing."""
    attnames, pk_at, converters = _loader(model, connection.vendor)
    values = list(row[start : start + len(attnames)])
    if values[pk_at] is None:
        return None
    for i, (col, found) in enumerate(converters):
        for convert in found:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, attnames, values)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)
