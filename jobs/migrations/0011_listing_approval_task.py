"""Listing moderation's "Staff approval" becomes a listing approval task, which offers
approving only while the listing's pay may go live. The existing task is converted in
place (same task, groups and task states), so listings in review stay in review."""

import django.db.models.deletion
from django.db import migrations, models


def convert_staff_approval(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ListingApprovalTask = apps.get_model("jobs", "ListingApprovalTask")
    task = GroupApprovalTask.objects.filter(name="Staff approval").first()
    if task is None or ListingApprovalTask.objects.filter(pk=task.pk).exists():
        return
    child = ListingApprovalTask(groupapprovaltask_ptr_id=task.pk)
    # Only the child's own row: the task and group approval rows exist already.
    child.save_base(raw=True)
    listing_task_type, _ = ContentType.objects.get_or_create(
        app_label="jobs", model="listingapprovaltask"
    )
    Task = apps.get_model("wagtailcore", "Task")
    Task.objects.filter(pk=task.pk).update(content_type=listing_task_type)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0010_drop_typed_task_pay"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingApprovalTask",
            fields=[
                (
                    "groupapprovaltask_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.groupapprovaltask",
                    ),
                ),
            ],
            options={
                "verbose_name": "Listing approval",
            },
            bases=("wagtailcore.groupapprovaltask",),
        ),
        migrations.RunPython(convert_staff_approval, migrations.RunPython.noop),
    ]
