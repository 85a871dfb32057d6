"""core.bulk: plain-row inserts for hot paths (COPY on PostgreSQL, executemany on SQLite)."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from core.bulk import COPY_MIN_ROWS, rows_insert, rows_insert_returning_ids
from payouts.models import LedgerTransaction
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=datetime.UTC)
FIELDS = ["user", "kind", "title", "body", "link", "read_at", "emailed", "created_at"]


def notification_rows(user_id: int, count: int) -> list[tuple]:
    return [
        (
            user_id,
            "test",
            f"Title {n}",
            "",
            "/work/",
            None,
            False,
            AT + datetime.timedelta(minutes=n),
        )
        for n in range(count)
    ]


def test_rows_are_written_as_given_with_their_datetimes_exact():
    worker = WorkerFactory()

    rows_insert(Notification, FIELDS, notification_rows(worker.pk, 3))

    stored = list(Notification.objects.order_by("created_at").values_list("title", "created_at"))
    assert stored == [(f"Title {n}", AT + datetime.timedelta(minutes=n)) for n in range(3)]


def test_ids_come_back_in_row_order_across_statements():
    worker = WorkerFactory()
    count = 300  # several statements on SQLite (its parameter limit), one COPY on PostgreSQL

    ids = rows_insert_returning_ids(Notification, FIELDS, notification_rows(worker.pk, count))

    assert len(set(ids)) == count
    titles = dict(Notification.objects.values_list("pk", "title"))
    assert [titles[pk] for pk in ids] == [f"Title {n}" for n in range(count)]


def test_inserts_are_counted_like_any_query_and_nothing_runs_for_no_rows():
    worker = WorkerFactory()

    with CaptureQueriesContext(connection) as none:
        rows_insert(Notification, FIELDS, [])
        assert rows_insert_returning_ids(Notification, FIELDS, []) == []
    with CaptureQueriesContext(connection) as few:
        rows_insert(Notification, FIELDS, notification_rows(worker.pk, 5))
    with CaptureQueriesContext(connection) as many:
        rows_insert(Notification, FIELDS, notification_rows(worker.pk, COPY_MIN_ROWS))

    assert len(none) == 0
    assert len(few) == 1  # one multi-row INSERT
    assert len(many) == 1  # one COPY on PostgreSQL, one INSERT of 400 parameters on SQLite
    assert Notification.objects.count() == 5 + COPY_MIN_ROWS


@pytest.mark.parametrize("count", [2, COPY_MIN_ROWS + 10])  # by INSERT, and by COPY on PostgreSQL
def test_a_duplicate_key_is_an_integrity_error_and_writes_nothing(count):
    fields = [
        "idempotency_key",
        "kind",
        "currency",
        "reference",
        "description",
        "link",
        "source_key",
        "source_label",
        "created_at",
    ]
    row = ("dup:0", "top_up", "USD", "ref", "Top-up", "", "", "", AT)
    rows_insert(LedgerTransaction, fields, [row])
    fresh = [(f"dup:{n}", *row[1:]) for n in range(1, count)]

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert_returning_ids(LedgerTransaction, fields, [*fresh, row])

    assert list(LedgerTransaction.objects.values_list("idempotency_key", flat=True)) == ["dup:0"]
