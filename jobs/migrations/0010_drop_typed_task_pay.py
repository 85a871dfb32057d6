"""A listing no longer types a per-task pay: task work is paid what its projects pay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0009_listing_pay_and_admission"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="jobpage",
            name="jobpage_per_task_pay_needs_task_minutes",
        ),
        migrations.RemoveField(model_name="jobpage", name="pay_type"),
        migrations.RemoveField(model_name="jobpage", name="pay_amount_cents"),
        migrations.RemoveField(model_name="jobpage", name="task_minutes"),
        migrations.AddConstraint(
            model_name="jobpage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("pay_source", "hourly"), _negated=True),
                    ("hourly_pay_cents__isnull", False),
                    _connector="OR",
                ),
                name="jobpage_hourly_pay_is_stated",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("test_required", "Test required"),
                    ("qualified", "Qualified"),
                    ("rejected", "Not selected"),
                    ("withdrawn", "Withdrawn"),
                    ("active", "Admitted"),
                ],
                db_index=True,
                default="submitted",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("test_required", "Test required"),
                    ("qualified", "Qualified"),
                    ("rejected", "Not selected"),
                    ("withdrawn", "Withdrawn"),
                    ("active", "Admitted"),
                ],
                max_length=16,
            ),
        ),
    ]
