"""The dashboard's sales and jobs per period read from the index alone (a covering index)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outcomereport",
            name="outcome_chain_period",
        ),
        migrations.AddIndex(
            model_name="outcomereport",
            index=models.Index(
                fields=["value_chain", "period_start"],
                include=("sales_value", "jobs_created", "jobs_retained"),
                name="outcome_chain_period_totals",
            ),
        ),
    ]
