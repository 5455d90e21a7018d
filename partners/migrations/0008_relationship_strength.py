"""Relationship strength stored with the relationship (for the network map).

The strengths of relationships already recorded were computed here once from the app's code;
that step is gone (a migration must not import the apps' code, which moves: the nightly
matchmaking.tasks.refresh_relationship_strengths computes them, and a fresh database has no
relationship to compute)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_last_contacted"),
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
    ]
