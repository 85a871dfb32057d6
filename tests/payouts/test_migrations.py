"""Data migrations of payouts: their functions run against rows as the migration finds them."""

import datetime
import importlib

import pytest
from django.apps import apps

from payouts.models import PayoutBatch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

schedule_key_migration = importlib.import_module(
    "payouts.migrations.0004_payout_batch_schedule_key"
)


def test_the_schedulers_existing_batches_get_their_weeks_key_once():
    # Rows as they were before the key: the migration adds the field empty, then fills it.
    staff = UserFactory(is_staff=True)
    monday = datetime.datetime(2026, 11, 23, 6, tzinfo=datetime.UTC)

    def batch(at, **fields):
        made = PayoutBatch.objects.create(kind="scheduled", currency="USD", **fields)
        PayoutBatch.objects.filter(pk=made.pk).update(created_at=at)
        return made.pk

    first = batch(monday)
    raced = batch(monday + datetime.timedelta(minutes=1))  # an earlier race's twin
    by_staff = batch(monday, created_by=staff)
    requested = PayoutBatch.objects.create(kind="requested", currency="USD").pk
    next_week = batch(monday + datetime.timedelta(days=7))

    schedule_key_migration.key_existing_weekly_batches(apps, None)

    assert dict(PayoutBatch.objects.values_list("pk", "schedule_key")) == {
        first: "weekly:2026-W48:USD",
        raced: "",
        by_staff: "",
        requested: "",
        next_week: "weekly:2026-W49:USD",
    }
