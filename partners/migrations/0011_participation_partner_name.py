"""Each participation carries its partner's name, kept by database triggers, so the directory
filtered by a chain reads the chain's partners in name order from one index.

Triggers rather than save(): partners and participations are also written in bulk (imports with
COPY, the demo, the benchmark's generator) and renamed by queryset updates; a trigger sees them
all. On SQLite, a later migration that rebuilds either table drops its triggers:
tests/partners/test_directory.py checks that a participation follows its partner's name.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION partners_participation_partner_name() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        SELECT name INTO NEW.partner_name FROM partners_partner WHERE id = NEW.partner_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER participation_partner_name
    BEFORE INSERT OR UPDATE OF partner_id, partner_name ON partners_participation
    FOR EACH ROW EXECUTE FUNCTION partners_participation_partner_name()
    """,
    """
    CREATE FUNCTION partners_partner_name_to_participations() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE partners_participation SET partner_name = NEW.name WHERE partner_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER partner_name_to_participations
    AFTER UPDATE OF name ON partners_partner
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION partners_partner_name_to_participations()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER participation_partner_name ON partners_participation",
    "DROP FUNCTION partners_participation_partner_name()",
    "DROP TRIGGER partner_name_to_participations ON partners_partner",
    "DROP FUNCTION partners_partner_name_to_participations()",
]

# SQLite has no BEFORE trigger that can change the new row: the row is corrected after it is
# written (SQLite's triggers do not fire themselves again unless recursive_triggers is set).
SQLITE = [
    """
    CREATE TRIGGER participation_partner_name_insert
    AFTER INSERT ON partners_participation
    BEGIN
        UPDATE partners_participation
        SET partner_name = (SELECT name FROM partners_partner WHERE id = NEW.partner_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER participation_partner_name_update
    AFTER UPDATE OF partner_id, partner_name ON partners_participation
    WHEN NEW.partner_name IS NOT (SELECT name FROM partners_partner WHERE id = NEW.partner_id)
    BEGIN
        UPDATE partners_participation
        SET partner_name = (SELECT name FROM partners_partner WHERE id = NEW.partner_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER partner_name_to_participations
    AFTER UPDATE OF name ON partners_partner
    WHEN OLD.name IS NOT NEW.name
    BEGIN
        UPDATE partners_participation SET partner_name = NEW.name WHERE partner_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER participation_partner_name_insert",
    "DROP TRIGGER participation_partner_name_update",
    "DROP TRIGGER partner_name_to_participations",
]

BACKFILL = """
    UPDATE partners_participation SET partner_name = (
        SELECT name FROM partners_partner WHERE partners_partner.id = partners_participation.partner_id
    )
"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0010_partner_name_key"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="participation",
            name="participation_directory",
        ),
        migrations.AddField(
            model_name="participation",
            name="partner_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["value_chain", "partner_name", "partner"],
                include=("chain_role", "status"),
                name="participation_chain_name",
            ),
        ),
    ]
