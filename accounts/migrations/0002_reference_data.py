from django.db import migrations

from accounts.reference_data import COUNTRIES, LANGUAGES


def load(apps, schema_editor):
    Country = apps.get_model("accounts", "Country")
    Language = apps.get_model("accounts", "Language")
    for code, name in COUNTRIES:
        Country.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
