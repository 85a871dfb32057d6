"""One lease per worker and project as a database constraint; item counters as full integers.

Before the constraint, older leases a worker still holds in a project (expired ones that
were not reclaimed yet) are expired and their places given back, as the reclaim does.
"""

from django.db import migrations, models
from django.db.models import F


def expire_extra_leases(apps, schema_editor):
    Assignment = apps.get_model("marketplace", "Assignment")
    Item = apps.get_model("marketplace", "Item")
    newest = {}
    extra = []
    leases = Assignment.objects.filter(status="leased").order_by("project_id", "worker_id", "-pk")
    for pk, project_id, worker_id, item_id in leases.values_list(
        "pk", "project_id", "worker_id", "item_id"
    ):
        if (project_id, worker_id) in newest:
            extra.append((pk, item_id))
        else:
            newest[(project_id, worker_id)] = pk
    for pk, item_id in extra:
        Assignment.objects.filter(pk=pk).update(status="expired")
        Item.objects.filter(pk=item_id).update(assigned_count=F("assigned_count") - 1, is_open=True)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="assigned_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="item",
            name="submitted_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(expire_extra_leases, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "leased")),
                fields=("project", "worker"),
                name="one_lease_per_worker_and_project",
            ),
        ),
    ]
