"""Relationship strength stored with the relationship (for the network map), computed for the
relationships already recorded."""

from django.db import migrations, models


def compute(apps, schema_editor):
    # The one definition of strength lives in partners.network; with no relationship yet (a
    # fresh database) this does nothing.
    from partners.network import refresh_strengths

    refresh_strengths()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_last_contacted"),
        ("matchmaking", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="relationship",
            name="strength_level",
            field=models.CharField(
                choices=[("strong", "Strong"), ("active", "Active"), ("dormant", "Dormant")],
                default="dormant",
                editable=False,
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="relationship",
            name="strength_reason",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(compute, migrations.RunPython.noop),
    ]
