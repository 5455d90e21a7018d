"""Message and OptOut moved to the outbox app with their tables (outbox 0001, 0002): they
leave this app's state only; no table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0002_message_handed_over"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Message"),
                migrations.DeleteModel(name="OptOut"),
            ]
        ),
    ]
