"""A listing's pay has one source, and a listing says how it admits applicants.

Existing listings keep what they advertised, as an hourly pay (a per-task pay becomes the
hourly rate it stated); marketplace's next migration moves the listings that are linked to
projects over to the pay of those projects. Existing listings admit by the company's
decision, as they did; new ones admit on passing by default.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def _hourly_cents(pay_type, pay_amount_cents, task_minutes) -> int:
    if pay_type == "per_task":
        return max(pay_amount_cents * 60 // max(task_minutes or 60, 1), 1)
    return pay_amount_cents


def state_pay_as_hourly(apps, schema_editor):
    JobPage = apps.get_model("jobs", "JobPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for page in JobPage.objects.all():
        page.hourly_pay_cents = _hourly_cents(page.pay_type, page.pay_amount_cents, page.task_minutes)
        page.save(update_fields=["hourly_pay_cents"])
    content_type = ContentType.objects.filter(app_label="jobs", model="jobpage").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type):
        content = dict(revision.content)
        content["pay_source"] = "hourly"
        content["admission"] = "company"
        content["hourly_pay_cents"] = _hourly_cents(
            content.get("pay_type"), content.get("pay_amount_cents") or 1, content.get("task_minutes")
        )
        revision.content = content
        revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0008_search_facet_tokens"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobpage",
            name="pay_source",
            field=models.CharField(
                choices=[
                    ("projects", "Tasks on Loopwork: the pay comes from the linked projects"),
                    ("hourly", "Hourly work outside Loopwork, at the pay stated here"),
                ],
                default="hourly",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="jobpage",
            name="pay_source",
            field=models.CharField(
                choices=[
                    ("projects", "Tasks on Loopwork: the pay comes from the linked projects"),
                    ("hourly", "Hourly work outside Loopwork, at the pay stated here"),
                ],
                default="projects",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="jobpage",
            name="hourly_pay_cents",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="For work outside Loopwork: the pay per hour, in minor units (cents).",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(10000000),
                ],
            ),
        ),
        migrations.AddField(
            model_name="jobpage",
            name="admission",
            field=models.CharField(
                choices=[
                    ("on_pass", "Automatically, when they pass the test (at once when there is none)"),
                    ("company", "By our decision: we admit or decline each applicant"),
                ],
                default="company",
                help_text="How applicants are admitted to the listing's work.",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="jobpage",
            name="admission",
            field=models.CharField(
                choices=[
                    ("on_pass", "Automatically, when they pass the test (at once when there is none)"),
                    ("company", "By our decision: we admit or decline each applicant"),
                ],
                default="on_pass",
                help_text="How applicants are admitted to the listing's work.",
                max_length=16,
            ),
        ),
        migrations.RunPython(state_pay_as_hourly, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ListingPay",
            fields=[
                (
                    "listing",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="pay_figures",
                        serialize=False,
                        to="jobs.jobpage",
                    ),
                ),
                ("currency", models.CharField(default="USD", max_length=3)),
                ("project_count", models.PositiveSmallIntegerField(default=0)),
                ("reward_min_cents", models.PositiveIntegerField(default=0)),
                ("reward_max_cents", models.PositiveIntegerField(default=0)),
                ("seconds_min", models.PositiveIntegerField(blank=True, null=True)),
                ("seconds_max", models.PositiveIntegerField(blank=True, null=True)),
                ("hourly_min_cents", models.PositiveIntegerField(default=0)),
                ("hourly_max_cents", models.PositiveIntegerField(default=0)),
                (
                    "is_estimate",
                    models.BooleanField(
                        default=True,
                        help_text="Some project's time is its estimate: too few answers timed.",
                    ),
                ),
                (
                    "floor_applies",
                    models.BooleanField(
                        default=False,
                        help_text="The pay floor lifts some project's measured hourly rate.",
                    ),
                ),
                (
                    "projects",
                    models.JSONField(
                        default=list,
                        help_text="Each linked project's figures, as marketplace computed them.",
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
