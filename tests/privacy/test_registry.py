"""Every model whose text could name a person is in vcc.hooks.PERSON_DATA (so the erasure
scrubs it), or is listed here with why it cannot: a new model must take a side."""

from django.apps import apps

from privacy.services import registered_models, text_fields

# Models with text columns that hold no one's name or contact details.
NOT_PERSONAL = {
    "auth.Permission": "names of permissions",
    "auth.Group": "names of groups",
    "contenttypes.ContentType": "names of models",
    "sessions.Session": "a signed user id; the erased account's password changes, ending them",
    "django_celery_beat.CrontabSchedule": "schedules",
    "django_celery_beat.PeriodicTask": "task names and ids",
    "partners.Stage": "names of chain stages",
    "partners.Certification": "names of certifications",
    "partners.Participation": "the partner's name",
    "partners.Product": "names of products and units",
    "convenings.CalendarFeed": "a token, deleted with the person's erasure",
    "privacy.PrivacyRequest": "counts of rows changed, never the data",
    "capture.MailboxState": "the capture mailbox's name and last UID read",
    "otp_totp.TOTPDevice": "a device name and secret key; deleted with the person's erasure",
    "otp_static.StaticDevice": "a device name; deleted with the person's erasure",
    "otp_static.StaticToken": "single-use recovery codes; deleted with their device",
}


def test_every_model_with_text_takes_a_side():
    registered = {m._meta.label for m in registered_models()}
    with_text = {m._meta.label for m in apps.get_models() if text_fields(m)}
    assert with_text - registered - set(NOT_PERSONAL) == set()
    assert registered & set(NOT_PERSONAL) == set()


def test_every_app_exports_and_every_registered_model_exists():
    from vcc import hooks

    assert set(hooks.PERSON_DATA) == {
        "partners", "outbox", "accounts", "matchmaking", "convenings", "imports", "outcomes",
        "capture", "intake", "followups", "privacy",
    }  # fmt: skip
    assert all(apps.get_model(label) for label in (m._meta.label for m in registered_models()))
