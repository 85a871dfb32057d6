"""Access through listings, the pay figures of a project, and rejected answers replaced.

- Existing projects stay open to every worker holding their qualification, as they were.
- A project's time estimate starts from the minutes per task its linked listing stated, and
  the listings linked to projects now take their pay from them (the jobs migration after
  this one drops the typed per-task pay).
- A rejected answer no longer holds a place: each item's counters are recomputed without
  its rejected answers, so those items reopen for a replacement answer.
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import Count, Q


def estimate_and_link_pay(apps, schema_editor):
    Project = apps.get_model("marketplace", "Project")
    JobPage = apps.get_model("jobs", "JobPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    linked = set()
    for project in Project.objects.prefetch_related("listings"):
        minutes = [page.task_minutes for page in project.listings.all() if page.task_minutes]
        if minutes and project.estimated_task_seconds is None:
            project.estimated_task_seconds = min(minutes) * 60
            project.save(update_fields=["estimated_task_seconds"])
        linked.update(page.pk for page in project.listings.all())
    JobPage.objects.filter(pk__in=linked).update(pay_source="projects", hourly_pay_cents=None)
    content_type = ContentType.objects.filter(app_label="jobs", model="jobpage").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in linked]
    ):
        revision.content = {**revision.content, "pay_source": "projects", "hourly_pay_cents": None}
        revision.save(update_fields=["content"])


def free_rejected_places(apps, schema_editor):
    Item = apps.get_model("marketplace", "Item")
    rejected = Item.objects.annotate(
        rejected=Count("assignments", filter=Q(assignments__status="rejected"))
    ).filter(rejected__gt=0)
    for item in rejected.select_related("project"):
        item.assigned_count -= item.rejected
        item.submitted_count -= item.rejected
        needed = item.project.overlap + item.extra_answers
        if not item.is_gold:
            item.is_open = item.assigned_count < needed
            if item.submitted_count < needed:
                item.completed_at = None
        item.save(update_fields=["assigned_count", "submitted_count", "is_open", "completed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_pay_floor"),
        ("jobs", "0009_listing_pay_and_admission"),
    ]
    # The typed per-task pay this reads is dropped by jobs' next migration.
    run_before = [("jobs", "0010_drop_typed_task_pay")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="access",
            field=models.CharField(
                choices=[
                    ("listings", "Only workers admitted through its listings"),
                    ("open", "Every worker who holds its qualification"),
                ],
                default="open",
                help_text="Who may take tasks: workers admitted through the linked listings, "
                "or every worker holding the required qualification.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="estimated_task_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="How long one task takes a careful worker, in seconds: the time "
                "workers see until enough answers are timed, and what the pay floor is checked "
                "against at launch.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(86400),
                ],
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="median_work_seconds",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="project",
            name="timed_answer_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="project",
            name="auto_completed",
            field=models.BooleanField(
                default=False,
                help_text="Completed by the engine when every item had its answers (a "
                "rejection that frees a place reopens it); a company's own completion is final.",
            ),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="reject_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("failed_gold", "Wrong answers on control items"),
                    ("disagrees", "Disagrees with the other workers"),
                    ("too_fast", "Answered too fast to have done the task"),
                    ("ignored_instructions", "Did not follow the instructions"),
                    ("incomplete", "Incomplete or empty answer"),
                    ("spam", "Spam, copied or generated text"),
                    ("other", "Other (explained below)"),
                    ("fraud", "Payment reversed for fraud by Loopwork staff"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(estimate_and_link_pay, migrations.RunPython.noop),
        migrations.RunPython(free_rejected_places, migrations.RunPython.noop),
    ]
