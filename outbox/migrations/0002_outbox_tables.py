from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        # The followups app lets go of the models first.
        ("followups", "0003_models_moved_to_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="message", table=None),
        migrations.AlterModelTable(name="optout", table=None),
    ]
