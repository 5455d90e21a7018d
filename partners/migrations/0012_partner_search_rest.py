"""What a search reads to put partners with a word in their name first (PostgreSQL): a trigram
index on the lower-cased name, and `search_rest`, the search document without the name that
begins it, as a generated column with its own trigram index.

With these a search for words found as written reads its matches in two parts (see
partners.search.partner_search_parts): those with a word in the name, from the name index,
and the rest, whose rank is the same, in id order. The planner's estimate of "the rest" then
comes from the statistics of `search_rest`; as "search_document and not the name" it multiplied
two strongly related estimates, and took a walk of the whole table for a word found only in
names. A generated column rather than an expression index: a walk in id order tests it per row.

The column is not a model field: only that search reads it. SQLite has neither; there this
does nothing, and search is one part.
"""

from django.db import migrations

FORWARDS = [
    "CREATE INDEX IF NOT EXISTS partners_partner_name_trgm "
    "ON partners_partner USING gin (lower(name) gin_trgm_ops)",
    # search_document is the lower-cased name, a space, then the rest (partner_search_documents);
    # a document not written that way (a name changed by a bulk update) is kept whole.
    """
    ALTER TABLE partners_partner ADD COLUMN search_rest text GENERATED ALWAYS AS (
        CASE WHEN starts_with(search_document, lower(name) || ' ')
        THEN substr(search_document, char_length(lower(name)) + 2)
        ELSE search_document END
    ) STORED
    """,
    "CREATE INDEX partners_partner_search_rest_trgm "
    "ON partners_partner USING gin (search_rest gin_trgm_ops)",
    # The estimate of a LIKE '%word%' is the share of the histogram's entries that match: with
    # 1,000 entries rather than 100, a word a few dozen partners hold is not taken for 1% of
    # them (a walk of the id index that finds too few and reads the whole table).
    "ALTER TABLE partners_partner ALTER COLUMN search_rest SET STATISTICS 1000",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS partners_partner_name_trgm",
    "ALTER TABLE partners_partner DROP COLUMN IF EXISTS search_rest",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("partners", "0011_participation_partner_name")]
    operations = [migrations.RunPython(forwards, backwards)]
