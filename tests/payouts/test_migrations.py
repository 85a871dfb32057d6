"""Data migrations of payouts, run from the state before them to the state after."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_SCHEDULE_KEY = ("payouts", "0003_one_open_request_batch")
SCHEDULE_KEY = ("payouts", "0004_payout_batch_schedule_key")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_schedulers_existing_batches_get_their_weeks_key_once(django_user_model):
    apps = migrate(BEFORE_SCHEDULE_KEY)
    try:
        PayoutBatch = apps.get_model("payouts", "PayoutBatch")
        User = apps.get_model(*django_user_model._meta.label.split("."))
        staff = User.objects.create(email="staff@example.com", password="!")
        monday = datetime.datetime(2026, 11, 23, 6, tzinfo=datetime.UTC)

        def batch(at, **fields):
            made = PayoutBatch.objects.create(kind="scheduled", currency="USD", **fields)
            PayoutBatch.objects.filter(pk=made.pk).update(created_at=at)
            return made.pk

        first = batch(monday)
        raced = batch(monday + datetime.timedelta(minutes=1))  # an earlier race's twin
        by_staff = batch(monday, created_by_id=staff.pk)
        requested = PayoutBatch.objects.create(kind="requested", currency="USD").pk
        next_week = batch(monday + datetime.timedelta(days=7))
        apps = migrate(SCHEDULE_KEY)
        keys = dict(
            apps.get_model("payouts", "PayoutBatch").objects.values_list("pk", "schedule_key")
        )
    finally:
        migrate_to_latest()

    assert keys == {
        first: "weekly:2026-W48:USD",
        raced: "",
        by_staff: "",
        requested: "",
        next_week: "weekly:2026-W49:USD",
    }
