"""Bulk inserts of plain rows, for hot paths that write hundreds of rows at once.

The ORM's bulk_create builds a model instance and prepares every value of every row; for
a batch of approvals that costs more than the database spends writing them. These send the
rows as they are: on PostgreSQL by COPY from COPY_MIN_ROWS rows up (psycopg spends longer
binding a large multi-row INSERT than the server spends on a COPY), otherwise as multi-row
INSERTs, adapting only the datetimes (SQLite's driver cannot take them as they are). Both
run through Django's execute wrappers, query log and error wrapping, so query counts
(tests, benchmarks) see them and a duplicate key is an IntegrityError as from any insert.
No signals are sent, and defaults are the database's: name every column that has no
database default.
"""

import contextlib
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

COPY_MIN_ROWS = 50
# PostgreSQL's wire protocol counts a statement's parameters in 16 bits.
POSTGRESQL_MAX_PARAMS = 2**16 - 1


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (one value per name in `fields`, in order) into `model`'s table."""
    rows = list(rows)
    columns = [model._meta.get_field(name) for name in fields]
    with connection.cursor() as cursor:
        if _copies(rows):
            _copy(cursor, model, columns, rows)
        else:
            _insert(cursor, model, columns, rows, returning=False)


def rows_insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]
) -> list[int]:
    """Insert `rows` like `rows_insert`; returns their new primary keys, in row order.

    By COPY, the keys are drawn from the table's sequence first and written with the rows;
    otherwise INSERT ... RETURNING gives them in insertion order (as Django's bulk_create
    relies on).
    """
    rows = list(rows)
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    with connection.cursor() as cursor:
        if not _copies(rows):
            return _insert(cursor, model, columns, rows, returning=True)
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


def _copies(rows: list) -> bool:
    return connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS


def _insert(cursor, model, columns, rows, *, returning: bool) -> list[int]:
    """Multi-row INSERTs of `rows`, as few as the parameter limit allows."""
    adapters = [
        connection.ops.adapt_datetimefield_value
        if isinstance(column, models.DateTimeField)
        else None
        for column in columns
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    row_marks = "(" + ", ".join("%s" for _ in columns) + ")"
    suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    limit = connection.features.max_query_params or POSTGRESQL_MAX_PARAMS
    per_statement = max(1, limit // len(columns))
    ids = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = ", ".join(row_marks for _ in chunk)
        # Only quoted names from the model's metadata and placeholders are formatted in.
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {values}{suffix}"  # noqa: S608
        params = [
            value if adapt is None else adapt(value)
            for row in chunk
            for value, adapt in zip(row, adapters, strict=True)
        ]
        cursor.execute(sql, params)
        if returning:
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _copy(cursor: CursorWrapper, model, columns, rows) -> None:
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
    with logged, connection.wrap_database_errors:
        cursor._execute_with_wrappers(sql, None, False, executor=copy_rows)
