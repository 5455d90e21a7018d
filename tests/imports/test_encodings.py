"""Spreadsheets as coordinators have them: UTF-8 with or without a byte-order mark, what Excel
on Windows saves (Windows-1252, Latin-1), commas, semicolons or tabs; each detected, read
right, and said in the dry run ("Read as Windows-1252, semicolon-separated.")."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from imports.spreadsheet import SpreadsheetError, describe, iter_rows, read_header

pytestmark = pytest.mark.django_db

ROWS = [["Name", "Région"], ["Café Môreson", "Franschhoek"], ["Über Gärten", "Zürich"]]


def csv_bytes(delimiter: str, encoding: str, bom: bytes = b"") -> bytes:
    text = "".join(delimiter.join(row) + "\r\n" for row in ROWS)
    return bom + text.encode(encoding)


@pytest.mark.parametrize(
    "data,read_as",
    [
        (csv_bytes(",", "utf-8"), "Read as UTF-8, comma-separated."),
        (
            csv_bytes(";", "utf-8", codecs.BOM_UTF8),
            "Read as UTF-8 (with a byte-order mark), semicolon-separated.",
        ),
        (csv_bytes(";", "cp1252"), "Read as Windows-1252, semicolon-separated."),
        (csv_bytes("\t", "latin-1"), "Read as Windows-1252, tab-separated."),
        (csv_bytes(",", "cp1252"), "Read as Windows-1252, comma-separated."),
        (csv_bytes("\t", "utf-16"), "Read as UTF-16, tab-separated."),
    ],
)
def test_each_encoding_and_delimiter_is_detected_and_read(data, read_as):
    assert describe("partners.csv", data) == read_as
    assert list(iter_rows("partners.csv", data)) == ROWS


def test_windows_1252_punctuation_is_read_as_excel_wrote_it():
    data = "Name;Notes\nKaroo Honey;“Raw” – €5 a jar\n".encode("cp1252")
    assert list(iter_rows("x.csv", data))[1] == ["Karoo Honey", "“Raw” – €5 a jar"]
    assert describe("x.csv", data) == "Read as Windows-1252, semicolon-separated."


def test_central_european_file_is_not_read_as_western():
    data = "Name;Town\nSpółdzielnia Łąka;Łódź\n".encode("cp1250")
    assert list(iter_rows("x.csv", data))[1] == ["Spółdzielnia Łąka", "Łódź"]
    assert describe("x.csv", data) == "Read as Windows-1250, semicolon-separated."


def test_commas_inside_quotes_do_not_make_a_semicolon_file_comma_separated():
    data = b'Name;Description\n"Karoo Honey";"Raw, unfiltered; local"\nA;B\n'
    assert list(iter_rows("x.csv", data))[1] == ["Karoo Honey", "Raw, unfiltered; local"]


def test_a_one_column_file_falls_back_to_commas():
    assert describe("x.csv", b"Name\nKaroo Honey\n") == "Read as UTF-8, comma-separated."
    assert read_header("x.csv", b"Name\nKaroo Honey\n") == ["Name"]


def test_a_binary_file_is_refused_with_what_to_do():
    with pytest.raises(SpreadsheetError, match="does not look like a CSV"):
        read_header("x.csv", b"\x00\x01\x02binary" * 16)


def test_the_dry_run_page_says_how_the_file_was_read(as_coordinator, chain_a):
    data = "Organisation Name;Région\nCafé Môreson;Franschhoek\n".encode("cp1252")
    as_coordinator.post(
        reverse("imports:index"),
        {
            "value_chain": chain_a.pk,
            "kind": "partners",
            "file": SimpleUploadedFile("partners.csv", data),
        },
    )
    job = ImportJob.objects.get()
    assert job.headers == ["Organisation Name", "Région"]
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "Read as Windows-1252, semicolon-separated." in page


def test_a_replaced_file_is_read_afresh(as_coordinator, chain_a):
    upload = {"value_chain": chain_a.pk, "kind": "partners"}
    as_coordinator.post(
        reverse("imports:index"),
        {**upload, "file": SimpleUploadedFile("p.csv", csv_bytes(";", "cp1252"))},
    )
    job = ImportJob.objects.get()
    as_coordinator.post(
        reverse("imports:replace_file", args=[job.pk]),
        {"file": SimpleUploadedFile("p.csv", csv_bytes(",", "utf-8"))},
    )
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "Read as UTF-8, comma-separated." in page


@pytest.mark.parametrize(
    "header,field",
    [("Emial", "email"), ("Company / Org name", "organisation"), ("Frist name", "first_name")],
)
def test_near_miss_headers_are_guessed_and_the_guess_said(as_coordinator, chain_a, header, field):
    data = f"{header},Last name,Town\nThandi,Mokoena,Cradock\n".encode()
    as_coordinator.post(
        reverse("imports:index"),
        {"value_chain": chain_a.pk, "kind": "people", "file": SimpleUploadedFile("p.csv", data)},
    )
    job = ImportJob.objects.get()
    assert job.mapping[header] == field
    assert job.mapping["Town"] == ""  # nothing near it: left for the coordinator
    page = as_coordinator.get(job.get_absolute_url()).content.decode()
    assert "the header is close to it" in page


def test_a_header_far_from_every_field_is_not_guessed():
    from imports.columns import guess_mapping, near_matches

    headers = ["Contact name", "Business Title"]
    mapping = guess_mapping("partners", headers)
    assert mapping == {"Contact name": "", "Business Title": ""}
    assert near_matches("partners", headers, mapping) == {}
