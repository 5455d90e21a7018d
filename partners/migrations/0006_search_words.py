"""The search vocabulary (SearchWord): every word of the search documents once, with a trigram
index on PostgreSQL, filled from the documents already there."""

from django.db import migrations, models

# Words of three letters or more (letters only), as partners.search.search_words splits them.
FILL = """
INSERT INTO partners_searchword (word)
SELECT DISTINCT w FROM (
    SELECT regexp_split_to_table(search_document, '[^[:alpha:]]+') AS w FROM partners_partner
    UNION ALL
    SELECT regexp_split_to_table(search_document, '[^[:alpha:]]+') FROM partners_person
) words
WHERE length(w) BETWEEN 3 AND 64
ON CONFLICT (word) DO NOTHING
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches substrings only; the vocabulary fills as documents are saved
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS partners_searchword_trgm "
        "ON partners_searchword USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute(FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS partners_searchword_trgm")


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_directory_index")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=64, unique=True)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
