"""The database itself refuses to change or delete ledger rows: corrections are new transactions."""

from django.db import migrations

from payouts import append_only


def create_triggers(apps, schema_editor):
    for statement in append_only.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in append_only.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
