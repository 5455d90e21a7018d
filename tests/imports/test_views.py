"""The import pages as a coordinator uses them: upload, fix the mapping, dry run, import, undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob, ImportState
from partners.models import Partner

pytestmark = pytest.mark.django_db

CSV = (
    b"Organisation Name,Town,Kind\n"
    b"Karoo Honey,Graaff-Reinet,business\nBad Kind Co,Cradock,spaceship\n"
)


def upload(client, chain, data=CSV, name="partners.csv", kind="partners"):
    return client.post(
        reverse("imports:index"),
        {"value_chain": chain.pk, "kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def test_upload_guesses_and_shows_the_mapping(as_coordinator, chain_a):
    response = upload(as_coordinator, chain_a)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "Match the columns" in page
    assert job.mapping == {"Organisation Name": "name", "Town": "", "Kind": "kind"}


def test_bad_file_message_beside_the_field(as_coordinator, chain_a):
    binary = b"\x00\x01\x02binary" * 16
    response = upload(as_coordinator, chain_a, data=binary, name="partners.csv")
    assert response.status_code == 400
    assert "does not look like a CSV file" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_chain_not_coordinated_is_refused(as_coordinator, chain_a, chain_b):
    response = upload(as_coordinator, chain_b)
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


def test_two_columns_for_one_field_are_refused_beside_them(as_coordinator, chain_a):
    upload(as_coordinator, chain_a)
    job = ImportJob.objects.get()
    response = as_coordinator.post(
        job.get_absolute_url(),
        {"col_0": "name", "col_1": "name", "col_2": "kind", "duplicate_action": "skip"},
    )
    assert response.status_code == 400
    assert response.content.decode().count("Only one column can be “Name”") == 2


def test_the_whole_flow(as_coordinator, chain_a, django_capture_on_commit_callbacks):
    upload(as_coordinator, chain_a)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(
            job.get_absolute_url(),
            {"col_0": "name", "col_1": "region", "col_2": "kind", "duplicate_action": "skip"},
        )
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "1 with errors" in page
    assert "“spaceship” is not one of" in page
    assert "Import 2 rows" not in page
    fixed = CSV.replace(b"spaceship", b"cooperative")
    response = as_coordinator.post(
        reverse("imports:replace_file", args=[job.pk]),
        {"file": SimpleUploadedFile("partners-fixed.csv", fixed)},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["Town"] == "region"  # the corrected mapping is kept
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(
            job.get_absolute_url(),
            {"col_0": "name", "col_1": "region", "col_2": "kind", "duplicate_action": "skip"},
        )
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "Import 2 rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTED
    assert Partner.objects.get(name="Bad Kind Co").region == "Cradock"
    log = as_coordinator.get(reverse("imports:index")).content.decode()
    assert "partners-fixed.csv" in log and "Imported" in log
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(reverse("imports:undo", args=[job.pk]))
    assert not Partner.objects.filter(name="Karoo Honey").exists()


def test_progress_fragment_while_busy(as_coordinator, chain_a, htmx):
    upload(as_coordinator, chain_a)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.IMPORTING, progress_done=40, progress_total=80
    )
    response = as_coordinator.get(job.get_absolute_url() + "?poll=1", **htmx)
    body = response.content.decode()
    assert 'value="50"' in body and "40 of about 80 rows" in body
    assert "<html" not in body
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.IMPORTED)
    response = as_coordinator.get(job.get_absolute_url() + "?poll=1", **htmx)
    assert response["HX-Refresh"] == "true"


def test_progress_before_the_rows_are_counted_says_reading(as_coordinator, chain_a, htmx):
    upload(as_coordinator, chain_a)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.IMPORTING, progress_done=0, progress_total=0
    )
    body = as_coordinator.get(job.get_absolute_url() + "?poll=1", **htmx).content.decode()
    assert "Reading the file…" in body
    assert "of about 0" not in body


def test_job_page_queries_do_not_grow_with_the_file(
    as_coordinator, chain_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for n in (5, 2000):
        data = b"Name\n" + b"".join(f"Farm {i}\n".encode() for i in range(n))
        upload(as_coordinator, chain_a, data=data, name=f"f{n}.csv")
        job = ImportJob.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            as_coordinator.post(
                job.get_absolute_url(), {"col_0": "name", "duplicate_action": "skip"}
            )
        # session, user, the job, (the page shows stored findings only)
        with django_assert_num_queries(4):
            response = as_coordinator.get(job.get_absolute_url())
        assert f"Import {n} rows" in response.content.decode()
