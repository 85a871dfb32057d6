import django.contrib.postgres.search
from django.db import migrations

PAY_BRACKETS = [1000, 1500, 2000, 3000]
BATCH = 1000

# The text match and the facet lexemes share one GIN index (of visible entries), so a search
# with filters narrows the entries to read in the index (see jobs.search.db).
CREATE_MATCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_entry_match_gin ON jobs_listingsearchentry "
    "USING gin (search_vector, facet_tokens) WHERE visible"
)
CREATE_VECTOR_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON jobs_listingsearchentry "
    "USING gin (search_vector) WHERE visible"
)


def _lexeme(text):
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _tokens(row):
    """As jobs.search.indexing.facet_tokens at the time of this migration."""
    pay = max((cents for cents in PAY_BRACKETS if row["hourly_rate_cents"] >= cents), default=0)
    keys = [
        ("category", row["category"]),
        ("experience", row["experience"]),
        ("test", "true" if row["test_required"] else "false"),
        ("pay", str(pay)),
        *(("language", code) for code in row["languages"].split() or [""]),
        *(("country", code) for code in row["countries"].split() or [""]),
        ("company", str(row["company_id"])),
    ]
    return " ".join(_lexeme(f"{facet}:{value}") for facet, value in sorted(set(keys)))


def add_tokens_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    entry_model = apps.get_model("jobs", "ListingSearchEntry")
    fields = [
        "page_id",
        "category",
        "experience",
        "test_required",
        "hourly_rate_cents",
        "languages",
        "countries",
        "company_id",
    ]
    last = 0
    while True:
        rows = list(
            entry_model.objects.filter(visible=True, page_id__gt=last)
            .order_by("page_id")
            .values(*fields)[:BATCH]
        )
        if not rows:
            break
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE jobs_listingsearchentry SET facet_tokens = %s::tsvector WHERE page_id = %s",
                [(_tokens(row), row["page_id"]) for row in rows],
            )
        last = rows[-1]["page_id"]
    schema_editor.execute(CREATE_MATCH_INDEX)
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_VECTOR_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_match_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0007_paid_tests"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingsearchentry",
            name="facet_tokens",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(add_tokens_and_index, drop_index),
    ]
