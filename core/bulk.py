"""Bulk inserts of plain rows, for hot paths that write hundreds of rows at once.

The ORM's bulk_create builds a model instance and prepares every value of every row; for
a batch of approvals that costs more than the database spends writing them. These send the
rows as they are: COPY on PostgreSQL, executemany on SQLite (adapting only the datetimes,
which its driver cannot take as they are). Both go through Django's execute wrappers and
query log, so query counts (tests, benchmarks) see them. No signals are sent, and defaults
are the database's: name every column that has no database default.
"""

import contextlib
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (one value per name in `fields`, in order) into `model`'s table."""
    rows = list(rows)
    if not rows:
        return
    columns = [model._meta.get_field(name) for name in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, model, columns, rows)
        else:
            cursor.executemany(_insert_sql(model, columns), _adapted(columns, rows))


def rows_insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]
) -> list[int]:
    """Insert `rows` like `rows_insert`; returns their new primary keys, in row order.

    On PostgreSQL the keys are drawn from the table's sequence first, then written with
    the rows by COPY.
    """
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            _copy(
                cursor,
                model,
                [meta.pk, *columns],
                [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            )
            return ids
        # Multi-row INSERT ... RETURNING, in as few statements as the parameter limit allows;
        # rows come back in insertion order (Django's bulk_create relies on the same).
        per_statement = max(1, connection.features.max_query_params // len(columns))
        marks = "(" + ", ".join("%s" for _ in columns) + ")"
        returning = f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
        prepared = _adapted(columns, rows)
        ids = []
        for start in range(0, len(prepared), per_statement):
            chunk = prepared[start : start + per_statement]
            values = ", ".join(marks for _ in chunk)
            cursor.execute(
                _insert_sql(model, columns, values) + returning,
                [value for row in chunk for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def _insert_sql(model: type[models.Model], columns: list[models.Field], values: str = "") -> str:
    """INSERT of `columns`; `values` is the VALUES list (placeholders), one row by default."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    values = values or "(" + ", ".join("%s" for _ in columns) + ")"
    # Only quoted names from the model's metadata and placeholders are formatted in.
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {values}"  # noqa: S608


def _adapted(columns: list[models.Field], rows: list[Sequence]) -> list[list]:
    adapters = [
        connection.ops.adapt_datetimefield_value
        if isinstance(column, models.DateTimeField)
        else None
        for column in columns
    ]
    return [
        [
            value if adapt is None else adapt(value)
            for value, adapt in zip(row, adapters, strict=True)
        ]
        for row in rows
    ]


def _copy(
    cursor: CursorWrapper, model: type[models.Model], columns: list[models.Field], rows
) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"

    def copy_rows(sql, params, many, context):
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    logged = (
        cursor.debug_sql(sql)
        if isinstance(cursor, CursorDebugWrapper)
        else contextlib.nullcontext()
    )
    # wrap_database_errors: a duplicate key is Django's IntegrityError, as from any insert.
    with logged, connection.wrap_database_errors:
        cursor._execute_with_wrappers(sql, None, False, executor=copy_rows)
