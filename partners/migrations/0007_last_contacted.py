"""Partner.last_contacted_on: the date of the latest interaction, filled from those logged."""

import datetime

import django.db.models.functions.comparison
from django.db import migrations, models

FILL = """
UPDATE partners_partner SET last_contacted_on = (
    SELECT max(occurred_on) FROM partners_interactionpartner
    WHERE partners_interactionpartner.partner_id = partners_partner.id
)
WHERE EXISTS (
    SELECT 1 FROM partners_interactionpartner
    WHERE partners_interactionpartner.partner_id = partners_partner.id
)
"""


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_search_words")]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="last_contacted_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="partner",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    models.F("last_contacted_on"), models.Value(datetime.date(1, 1, 1))
                ),
                models.F("id"),
                name="partner_last_contacted",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
