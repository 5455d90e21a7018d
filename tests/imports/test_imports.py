"""Spreadsheet imports: upload, map, check row by row, import all or nothing, undo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportRun
from imports.reading import guess_mapping
from partners.models import Affiliation, Participation, Partner, Person
from tests.conftest import client_for
from tests.factories import ParticipationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

IMPORTS = reverse("imports:imports")

GOOD = (
    "Organisation,Type, Province ,Web site,Lat,Lng,Date joined\n"
    "Kei River Timber,Co-op,Eastern Cape,keitimber.example,-32.1,28.05,2026-03-01\n"
    "Mthatha Boards,company,Eastern Cape,,,,\n"
)
BAD = (
    "Company name,Kind,Latitude,Longitude,Since\n"
    "Kei River Timber,cooperative,not-a-number,28.1,2026-03-01\n"
    ",business,-31.5,28.2,2026-03-02\n"
    "Coastal Chairs,business,-31.9,28.3,31/02/2026\n"
    "Lone Pine,business,-31.9,,\n"
)


def upload(client, chain, text, name="partners.csv", kind="partners"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        IMPORTS,
        {"value_chain": chain.pk, "kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def mapping_post(run, duplicates="skip", **override):
    data = {f"map_{k}": "" if v is None else str(v) for k, v in run.mapping.items()}
    data.update({f"map_{k}": v for k, v in override.items()})
    data["duplicates"] = duplicates
    return data


def check(client, run, capture, **kwargs):
    with capture(execute=True):
        response = client.post(reverse("imports:check", args=[run.pk]), mapping_post(run, **kwargs))
    run.refresh_from_db()
    return response


def test_headers_are_guessed_whatever_their_spelling():
    mapping = guess_mapping("people", ["E-Mail ", "Organisation", "Tel", "Surname", "Contact"])
    assert mapping["email"] == 0 and mapping["organisation"] == 1 and mapping["phone"] == 2
    assert mapping["last_name"] == 3 and mapping["first_name"] == 4 and mapping["title"] is None


def test_upload_check_and_import_partners(
    as_coordinator, chain_a, partner_a, django_capture_on_commit_callbacks
):
    response = upload(as_coordinator, chain_a, GOOD)
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.rows == 2 and run.mapping["name"] == 0 and run.mapping["region"] == 2
    page = as_coordinator.get(run.get_absolute_url()).content.decode()
    assert "Match the columns" in page and "Check every row" in page

    check(as_coordinator, run, django_capture_on_commit_callbacks)
    assert run.status == "checked" and run.report["error_count"] == 0 and run.report["new"] == 2
    assert (
        Partner.objects.filter(name="Kei River Timber").exists() is False
    )  # a check saves nothing

    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:start", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "imported"
    kei = Partner.objects.get(name="Kei River Timber")
    assert (kei.kind, kei.region, kei.website) == (
        "cooperative",
        "Eastern Cape",
        "https://keitimber.example",
    )
    link = Participation.objects.get(partner=kei)
    assert link.value_chain == chain_a and link.status_changed_on.isoformat() == "2026-03-01"
    # Found by the directory's search at once.
    found = as_coordinator.get(reverse("partners:directory"), {"q": "kei river"})
    assert [p.name for p in found.context["page"].rows] == ["Kei River Timber"]
    assert "Imported" in as_coordinator.get(run.get_absolute_url()).content.decode()
    assert "partners.csv" in as_coordinator.get(IMPORTS).content.decode()  # the log


def test_errors_name_row_and_column_and_nothing_is_saved(
    as_coordinator, chain_a, django_capture_on_commit_callbacks
):
    upload(as_coordinator, chain_a, BAD)
    run = ImportRun.objects.get()
    check(as_coordinator, run, django_capture_on_commit_callbacks)
    errors = {(e["row"], e["column"]) for e in run.report["errors"]}
    assert errors == {(2, "Latitude"), (3, "Company name"), (4, "Since"), (5, "Longitude")}
    page = as_coordinator.get(run.get_absolute_url()).content.decode()
    assert "is not a number" in page and "Name is required" in page and "is not a date" in page
    assert reverse("imports:start", args=[run.pk]) not in page
    refused = as_coordinator.post(reverse("imports:start", args=[run.pk]), follow=True)
    assert "checked without errors" in refused.content.decode()
    assert not Partner.objects.filter(name="Coastal Chairs").exists()


@pytest.mark.parametrize(
    "data, name, message",
    [
        ("Name\nKéi Timber\n".encode("cp1252"), "p.csv", "not UTF-8"),
        (b"", "p.csv", "file is empty"),
        (b"\n\n  \n", "p.csv", "The file is empty"),
        (b"Name,Region\n", "p.csv", "no rows under it"),
        (b"Name\nX\n", "p.pdf", "Upload a .csv or an .xlsx"),
        (b"not a zip at all", "p.xlsx", "not a readable .xlsx"),
    ],
)
def test_bad_files_are_refused_beside_the_field(as_coordinator, chain_a, data, name, message):
    response = upload(as_coordinator, chain_a, data, name=name)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_over_the_limit_is_refused(as_coordinator, chain_a, settings):
    settings.VCC_IMPORT_MAX_BYTES = 100
    response = upload(as_coordinator, chain_a, "Name\n" + "Kei Timber\n" * 20)
    assert "the limit is" in response.content.decode() and not ImportRun.objects.exists()


def test_a_missing_required_column_is_said_beside_it(
    as_coordinator, chain_a, django_capture_on_commit_callbacks
):
    upload(as_coordinator, chain_a, "Region,Website\nEastern Cape,x.example\n")
    run = ImportRun.objects.get()
    response = check(as_coordinator, run, django_capture_on_commit_callbacks, name="")
    assert response.status_code == 400
    assert "Choose the column that holds the name." in response.content.decode()
    assert run.status == "uploaded"


def test_duplicates_are_shown_then_skipped_or_merged_and_undo_restores(
    as_coordinator, chain_a, chain_b, coordinator, django_capture_on_commit_callbacks
):
    chain_b.coordinators.add(coordinator)
    amatola = ParticipationFactory(
        value_chain=chain_b, partner=PartnerFactory(name="Amatola Sawmill", region="")
    ).partner
    upload(as_coordinator, chain_a, "Name,Region\nAMATOLA SAWMILL,Eastern Cape\nNew Mill,\n")
    run = ImportRun.objects.get()
    check(as_coordinator, run, django_capture_on_commit_callbacks, duplicates="merge")
    assert run.report["duplicate_count"] == 1 and run.report["duplicates"][0]["why"] == "same name"
    assert "Amatola Sawmill" in as_coordinator.get(run.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:start", args=[run.pk]))
    amatola.refresh_from_db()
    assert amatola.region == "Eastern Cape"  # an empty field filled
    assert amatola.participations.filter(value_chain=chain_a).exists()  # joined the chain
    assert Partner.objects.filter(name__iexact="amatola sawmill").count() == 1

    as_coordinator.post(reverse("imports:undo", args=[run.pk]))
    run.refresh_from_db()
    amatola.refresh_from_db()
    assert run.status == "undone"
    assert amatola.region == "" and not amatola.participations.filter(value_chain=chain_a).exists()
    assert not Partner.objects.filter(name="New Mill").exists()


def test_import_is_all_or_nothing(
    as_coordinator, chain_a, monkeypatch, django_capture_on_commit_callbacks
):
    upload(as_coordinator, chain_a, GOOD)
    run = ImportRun.objects.get()
    check(as_coordinator, run, django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # It fails after the partners and their participations are written.
    monkeypatch.setattr("imports.services.add_search_words", broken)
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:start", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "failed" and "Nothing was imported" in run.report["failure"]
    assert not Partner.objects.filter(name="Kei River Timber").exists()


def test_people_join_organisations_already_there(
    as_coordinator, chain_a, partner_a, django_capture_on_commit_callbacks
):
    text = (
        "Contact,Surname,E-mail,Organisation,Job title\n"
        "Thandi,Khumalo,thandi@amatola.example,amatola sawmill,Manager\n"
        "Sipho,Ndlovu,not-an-email,Amatola Sawmill,\n"
        "Lerato,Mokoena,,Nowhere Ltd,\n"
    )
    upload(as_coordinator, chain_a, text, kind="people")
    run = ImportRun.objects.get()
    check(as_coordinator, run, django_capture_on_commit_callbacks)
    messages = {e["row"]: e["message"] for e in run.report["errors"]}
    assert "not an email address" in messages[3] and "No partner named" in messages[4]

    upload(
        as_coordinator, chain_a, text.splitlines()[0] + "\n" + text.splitlines()[1], kind="people"
    )
    run = ImportRun.objects.latest("id")
    check(as_coordinator, run, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:start", args=[run.pk]))
    thandi = Person.objects.get(email="thandi@amatola.example")
    assert Affiliation.objects.get(person=thandi).partner == partner_a
    assert Affiliation.objects.get(person=thandi).title == "Manager"


def test_xlsx_files_are_read(as_coordinator, chain_a, django_capture_on_commit_callbacks):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Partner name", "Region", "Date joined"])
    book.active.append(["Umzimkulu Honey", "KwaZulu-Natal", "2026-02-01"])
    out = io.BytesIO()
    book.save(out)
    upload(as_coordinator, chain_a, out.getvalue(), name="list.xlsx")
    run = ImportRun.objects.get()
    check(as_coordinator, run, django_capture_on_commit_callbacks)
    assert run.report["new"] == 1 and run.report["error_count"] == 0


def test_imports_belong_to_the_coordinators_of_their_chain(
    as_coordinator, chain_a, partner_a_user, other_coordinator
):
    upload(as_coordinator, chain_a, GOOD)
    run = ImportRun.objects.get()
    urls = [reverse(f"imports:{n}", args=[run.pk]) for n in ("run", "check", "start", "undo")]
    assert client_for(None).get(IMPORTS).status_code == 302
    assert client_for(partner_a_user).get(IMPORTS).status_code == 403
    assert client_for(other_coordinator).get(IMPORTS).status_code == 200
    assert "partners.csv" not in client_for(other_coordinator).get(IMPORTS).content.decode()
    assert client_for(other_coordinator).get(urls[0]).status_code == 404
    for url in urls[1:]:
        assert client_for(other_coordinator).post(url).status_code == 404
        assert client_for(partner_a_user).post(url).status_code == 403
    # Another coordinator cannot upload into a chain they do not coordinate.
    response = upload(client_for(other_coordinator), chain_a, GOOD)
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 200])
def test_checking_costs_queries_per_batch_not_per_row(
    as_coordinator, chain_a, rows, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    text = "Name,Website\n" + "".join(f"Partner {i},p{i}.example\n" for i in range(rows))
    upload(as_coordinator, chain_a, text)
    run = ImportRun.objects.get()
    # session, user, my chains, the run, the run with its file, saving the mapping, queueing;
    # the task: taking the job, the run, duplicates by name and by website, my chain ids,
    # progress, the report = 14, and the same for 200 rows (one batch)
    with django_assert_max_num_queries(14):
        check(as_coordinator, run, django_capture_on_commit_callbacks)
    assert run.report["new"] == rows
