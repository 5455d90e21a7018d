"""The outbox's Message and OptOut, moved from the followups app with their table: this
migration only tells Django's state that they are the outbox's now (followups 0003 removes
them from there), and 0002 renames the tables."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = [
    ("invitation", "Convening invitation"),
    ("update", "Convening update"),
    ("reminder", "Convening reminder"),
    ("minutes", "Minutes"),
    ("action_due", "Action item due soon"),
    ("action_overdue", "Action item overdue"),
    ("introduction", "How did the introduction go?"),
    ("commitment", "Commitment due"),
    ("digest", "Weekly digest"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partners", "0005_directory_index"),
        ("followups", "0002_message_handed_over"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="OptOut",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("address", models.EmailField(max_length=254)),
                ("kind", models.CharField(choices=KINDS, max_length=20)),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "db_table": "followups_optout",
                "constraints": [
                    models.UniqueConstraint(fields=("address", "kind"), name="optout_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "to_address",
                    models.EmailField(
                        blank=True, help_text="Empty when the person has no email.", max_length=254
                    ),
                ),
                (
                    "cc",
                    models.CharField(
                        blank=True, help_text="Comma-separated addresses.", max_length=500
                    ),
                ),
                ("kind", models.CharField(choices=KINDS, max_length=20)),
                (
                    "about_type",
                    models.CharField(blank=True, help_text="e.g. convening", max_length=40),
                ),
                ("about_id", models.PositiveBigIntegerField(blank=True, null=True)),
                ("subject", models.CharField(max_length=250)),
                ("body_text", models.TextField()),
                ("body_html", models.TextField(blank=True)),
                (
                    "attachments",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="[{filename, content, mimetype}] (text only)",
                    ),
                ),
                ("due_at", models.DateTimeField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("unconfirmed", "Sent, unconfirmed"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=12,
                    ),
                ),
                ("idempotency_key", models.CharField(max_length=200, unique=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("enqueued_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "handed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When its content went to the mail server, just before the "
                        "final dot.",
                        null=True,
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="messages",
                        to="partners.person",
                    ),
                ),
                (
                    "value_chain",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="partners.valuechain",
                    ),
                ),
            ],
            options={
                "db_table": "followups_message",
                "ordering": ["-due_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "pending")),
                        fields=["due_at"],
                        name="message_pending_due",
                    ),
                    models.Index(
                        condition=models.Q(("state", "sending")),
                        fields=["claimed_at"],
                        name="message_sending",
                    ),
                    models.Index(fields=["value_chain", "-due_at", "-id"], name="message_outbox"),
                    models.Index(fields=["about_type", "about_id", "state"], name="message_about"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "sent"), _negated=True),
                            ("sent_at__isnull", False),
                            _connector="OR",
                        ),
                        name="message_sent_dated",
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
