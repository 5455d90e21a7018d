"""Workbooks as coordinators have them, read with python-calamine: XLSX and ODS, the sheet
with the list chosen when the workbook opens on another, blank leading rows skipped."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from imports import services
from imports.spreadsheet import SpreadsheetError, describe, iter_rows, read_header
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def xlsx(*sheets: tuple[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def ods(rows: list[list[str]]) -> bytes:
    """The smallest OpenDocument spreadsheet LibreOffice would open: one sheet of text."""

    def cell(text: str) -> str:
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{text}</text:p></table:table-cell>"
        )

    body = "".join(
        f"<table:table-row>{''.join(cell(c) for c in row)}</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Members">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return target.getvalue()


def test_xlsx_cells_are_read_as_text_the_import_understands():
    data = xlsx(
        (
            "Members",
            [
                ["Name", "Joined", "Hectares", "Organic"],
                ["Karoo Honey", datetime.date(2026, 1, 15), 12.5, True],
            ],
        )
    )
    assert list(iter_rows("m.xlsx", data)) == [
        ["Name", "Joined", "Hectares", "Organic"],
        ["Karoo Honey", "2026-01-15", "12.5", "yes"],
    ]
    assert describe("m.xlsx", data) == "Read as an Excel workbook (XLSX)."


def test_the_sheet_with_the_list_is_read_and_said_when_the_first_is_blank():
    data = xlsx(
        ("Read me", []),
        ("Members", [[], [None, None], ["Name", "Town"], ["Karoo Honey", "Graaff-Reinet"]]),
        ("Lists", [["Kinds"], ["business"]]),
    )
    assert read_header("m.xlsx", data) == ["Name", "Town"]  # blank leading rows skipped
    assert list(iter_rows("m.xlsx", data))[1] == ["Karoo Honey", "Graaff-Reinet"]
    assert describe("m.xlsx", data) == (
        "Read as an Excel workbook (XLSX), sheet “Members”, the first with data "
        "(also: “Read me”, “Lists”)."
    )


def test_ods_is_read():
    data = ods([["Name", "Région"], ["Café Môreson", "Franschhoek"]])
    assert list(iter_rows("members.ods", data)) == [
        ["Name", "Région"],
        ["Café Môreson", "Franschhoek"],
    ]
    assert describe("members.ods", data) == "Read as an OpenDocument spreadsheet (ODS)."


def test_an_ods_import_runs_its_dry_run(coordinator, chain_a):
    data = ods([["Organisation name", "Kind"], ["Karoo Honey", "business"]])
    job = services.start_import(coordinator, chain_a, "partners", "members.ods", data)
    assert job.headers == ["Organisation name", "Kind"]
    assert job.read_as == "Read as an OpenDocument spreadsheet (ODS)."


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.xls", "broken.ods"])
def test_a_broken_workbook_is_refused_with_what_to_do(name):
    with pytest.raises(SpreadsheetError, match="cannot be opened.*Save it again"):
        read_header(name, b"PK\x03\x04garbage")


BOOK = xlsx(
    ("Members", [["Name", "Town"], ["Karoo Honey", "Graaff-Reinet"]]),
    ("Buyers", [["Organisation", "Email"], ["Spar Kirkwood", "buy@spar.example"]]),
)


def choose(client, job, sheet):
    return client.post(reverse("imports:choose_sheet", args=[job.pk]), {"sheet": sheet})


def test_the_coordinator_chooses_another_sheet_and_its_columns_are_read(
    as_coordinator, coordinator, chain_a
):
    job = services.start_import(coordinator, chain_a, "partners", "book.xlsx", BOOK)
    assert (job.sheets, job.sheet, job.headers) == (
        ["Members", "Buyers"],
        "Members",
        ["Name", "Town"],
    )
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "Sheet to read" in page and '<option value="Buyers">' in page

    response = choose(as_coordinator, job, "Buyers")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.sheet == "Buyers" and job.headers == ["Organisation", "Email"]
    assert job.mapping["Organisation"] == "name"
    assert "sheet “Buyers”, as chosen (also: “Members”)" in job.read_as
    rows = list(iter_rows(job.filename, bytes(job.data), job.sheet))
    assert rows[1] == ["Spar Kirkwood", "buy@spar.example"]


def test_a_sheet_the_workbook_lacks_is_refused(as_coordinator, coordinator, chain_a):
    job = services.start_import(coordinator, chain_a, "partners", "book.xlsx", BOOK)
    page = as_coordinator.get(choose(as_coordinator, job, "Nope")["Location"]).content.decode()
    assert "The workbook has no sheet “Nope”." in page
    job.refresh_from_db()
    assert job.sheet == "Members"


@pytest.mark.parametrize(
    "who,status",
    [
        *(("anonymous", 302), ("partner_a_user", 403), ("other_coordinator", 404)),
        *(("coordinator", 302), ("superuser", 302)),
    ],
)
def test_choosing_a_sheet_is_for_the_chains_coordinators(
    request, coordinator, chain_a, who, status
):
    job = services.start_import(coordinator, chain_a, "partners", "book.xlsx", BOOK)
    if who == "anonymous":
        client = Client()
    elif who == "superuser":
        client = client_for(UserFactory(username="root@example.org", is_superuser=True))
    else:
        client = client_for(request.getfixturevalue(who))
    response = choose(client, job, "Buyers")
    assert response.status_code == status
    job.refresh_from_db()
    assert job.sheet == ("Buyers" if who in ("coordinator", "superuser") else "Members")
    if who == "anonymous":
        assert "/accounts/login/" in response["Location"]
