"""The full export holds every table of the coordinator's chains: each model of the registry
is in a file of the zip, or kept out on purpose with why, so a new model cannot be forgotten."""

import csv
import datetime
import io
import zipfile

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capture.models import CapturedAttachment, CapturedMessage
from convenings.models import ActionItem, ActionUpdate, Convening, Invitee, WorkingGroup
from followups.models import Task
from intake.models import IntakeForm, IntakeSubmission
from outcomes import export
from outcomes.models import OutcomeReport
from partners.models import ChangeRecord
from tests.conftest import client_for
from tests.factories import PersonFactory
from vcc import hooks

pytestmark = pytest.mark.django_db

EXPORT = reverse("outcomes:export")


def exported_models() -> set[str]:
    tables = [*export.TABLE_MODELS.values(), *(t.models for t in hooks.EXPORT_TABLES.values())]
    return {label for models in tables for label in models}


def kept_out() -> dict[str, str]:
    return {**export.NOT_EXPORTED, **hooks.NOT_EXPORTED}


def test_every_model_is_exported_or_kept_out_with_a_reason():
    registry = {model._meta.label for model in apps.get_models()}
    exported, out = exported_models(), kept_out()
    assert registry - exported - set(out) == set(), "export these models or say why not"
    assert exported & set(out) == set()
    assert (exported | set(out)) - registry == set(), "names of models that do not exist"
    assert all(len(why) > 20 for why in out.values())


def download(user) -> zipfile.ZipFile:
    response = client_for(user).post(EXPORT)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def fill_chain(chain, partner, coordinator, n: int, start: int = 0) -> None:
    """n of each: a working group with members, convenings with invitees, action items with
    updates, outcome reports, change history, tasks and captured email with an attachment."""
    now = timezone.now()
    for i in range(start, start + n):
        person = PersonFactory(first_name=f"Member{i}", last_name=chain.name[:5])
        group = WorkingGroup.objects.create(
            value_chain=chain, name=f"Drying kilns {chain.pk}-{i}", problem="Wet timber"
        )
        group.members.add(person)
        meeting = Convening.objects.create(
            value_chain=chain,
            working_group=group,
            kind="working_group",
            title=f"Kiln meeting {chain.pk}-{i}",
            starts_at=now,
            ends_at=now + datetime.timedelta(hours=1),
            place="The sawmill",
            minutes=f"Minutes of {chain.name} {i}",
        )
        Invitee.objects.create(convening=meeting, person=person, rsvp="yes", attended=True)
        item = ActionItem.objects.create(
            value_chain=chain,
            working_group=group,
            convening=meeting,
            title=f"Quote a kiln {chain.pk}-{i}",
            owner=person,
            due_on=datetime.date(2026, 1, 1),
            posted_by=coordinator,
        )
        ActionUpdate.objects.create(item=item, by=coordinator, status="done", note="Quoted")
        OutcomeReport.objects.create(
            partner=partner,
            value_chain=chain,
            period_start=datetime.date(2020 + i, 1, 1),
            period_end=datetime.date(2020 + i, 12, 31),
            jobs_created=3 + i,
            reported_by=coordinator,
        )
        ChangeRecord.objects.create(
            partner=partner, user=coordinator, summary=f"Renamed {i}", changes={"Name": ["a", "b"]}
        )
        Task.objects.create(
            value_chain=chain,
            title=f"Call about kilns {chain.pk}-{i}",
            due_on=datetime.date(2026, 1, 2),
            assignee=coordinator,
            partner=partner,
        )
        message = CapturedMessage.objects.create(
            message_id=f"<{chain.pk}-{i}@example.org>",
            status="captured",
            subject=f"Kiln prices {chain.name} {i}",
            sent_at=now,
            sender_address="thandi@example.org",
        )
        message.value_chains.add(chain)
        form = IntakeForm.objects.create(value_chain=chain, title=f"Join {chain.name} {i}")
        IntakeSubmission.objects.create(form=form, partner_name=f"Applicant {chain.name} {i}")
        CapturedAttachment.objects.create(
            message=message,
            filename="quote.pdf",
            content_type="application/pdf",
            size=9,
            content=b"SECRETPDF",
        )


def test_the_zip_holds_every_table_of_my_chains_and_not_of_others(
    coordinator, other_coordinator, chain_a, chain_b, partner_a, partner_b
):
    fill_chain(chain_a, partner_a, coordinator, 1)
    fill_chain(chain_b, partner_b, other_coordinator, 1)
    page = client_for(coordinator).get(EXPORT).content.decode()
    assert "convenings.csv" in page and "tasks.csv" in page and "captured_email.csv" in page
    archive = download(coordinator)
    assert set(archive.namelist()) == {*export.TABLE_MODELS, *hooks.EXPORT_TABLES}
    assert archive.namelist() == export.file_names()

    groups = table(archive, "working_groups.csv")
    assert [g["Members"] for g in groups] == [f"Member0 {chain_a.name[:5]}"]
    (invitee,) = table(archive, "convening_invitations.csv")
    assert invitee["Attended"] == "yes" and invitee["Convening"].startswith("Kiln meeting")
    (meeting,) = table(archive, "convenings.csv")
    assert meeting["Minutes"] == f"Minutes of {chain_a.name} 0"
    (update,) = table(archive, "action_updates.csv")
    assert update["Note"] == "Quoted" and update["By"] == coordinator.email
    (report,) = table(archive, "outcome_reports.csv")
    assert report["Partner"] == "Amatola Sawmill" and report["Jobs created"] == "3"
    (change,) = table(archive, "change_history.csv")
    assert change["Summary"] == "Renamed 0" and '"Name"' in change["Changes"]
    assert [t["Title"] for t in table(archive, "tasks.csv")] == [f"Call about kilns {chain_a.pk}-0"]
    (mail,) = table(archive, "captured_email.csv")
    assert mail["Subject"] == f"Kiln prices {chain_a.name} 0"
    (answer,) = table(archive, "intake_answers.csv")
    assert answer["Partner name"] == f"Applicant {chain_a.name} 0"
    assert answer["Form"] == f"Join {chain_a.name} 0"
    (attachment,) = table(archive, "captured_email_attachments.csv")
    assert attachment["Filename"] == "quote.pdf" and attachment["Size"] == "9"

    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"SECRETPDF" not in everything  # attachments' names, never their bytes
    assert chain_b.name.encode() not in everything and b"Riverbend" not in everything


def test_queries_grow_with_the_tables_not_the_rows(coordinator, chain_a, partner_a):
    fill_chain(chain_a, partner_a, coordinator, 1)
    with CaptureQueriesContext(connection) as one:
        download(coordinator)
    fill_chain(chain_a, partner_a, coordinator, 4, start=1)
    with CaptureQueriesContext(connection) as five:
        download(coordinator)
    assert len(five.captured_queries) == len(one.captured_queries)
