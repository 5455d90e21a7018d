"""The import's dry run, duplicates, all-or-nothing commit and undo, through the services."""

import datetime
import io

import pytest
from openpyxl import Workbook

from imports import services
from imports.models import DuplicateAction, ImportJob, ImportState
from imports.spreadsheet import SpreadsheetError
from outcomes.models import OutcomeReport
from partners.models import (
    Affiliation,
    Offer,
    Participation,
    Partner,
    Person,
    Product,
    Relationship,
)

from ..factories import AffiliationFactory, OfferFactory, PersonFactory, ProductFactory

PARTNERS_CSV = (
    "Company Name,E-mail,Web site,Region,Role,Joined\n"
    "Karoo Honey,info@karoo.example,karoohoney.example,Western Cape,producer,2026-01-15\n"
    "Amatola Sawmill,,www.amatola.example,Eastern Cape,processor,2026-02-01\n"
    "Blue Crane Timber,,,Eastern Cape,processor,15/03/2026\n"
)


@pytest.fixture(autouse=True)
def _run_queued_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """The services queue the check and the import after commit: run them at once here."""
    for name in ("request_check", "request_import", "request_undo"):
        original = getattr(services, name)

        def run_now(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, run_now)


def start(user, chain, kind, text, filename="list.csv"):
    data = text.encode() if isinstance(text, str) else text
    return services.start_import(user, chain, kind, filename, data)


def check(job, mapping=None, action=DuplicateAction.SKIP):
    job = services.request_check(job, mapping or job.mapping, action)
    job.refresh_from_db()
    return job


def test_headers_are_guessed_from_synonyms(coordinator, chain_a):
    job = start(coordinator, chain_a, "partners", PARTNERS_CSV)
    assert job.mapping["Company Name"] == "name"
    assert job.mapping["Web site"] == "website"
    assert job.mapping["Role"] == "chain_role"
    assert job.mapping["Joined"] == "joined_on"
    assert job.mapping["E-mail"] == ""  # partners keep no email: left for the user to see


def test_dry_run_writes_nothing_and_flags_a_duplicate(coordinator, chain_a, partner_a):
    job = check(start(coordinator, chain_a, "partners", PARTNERS_CSV))
    assert job.state == ImportState.CHECKED
    assert (job.rows_total, job.rows_with_errors, job.rows_duplicate) == (3, 0, 1)
    assert job.duplicates[0]["row"] == 3
    assert job.duplicates[0]["existing"] == "Amatola Sawmill"
    assert [p["result"] for p in job.preview] == ["new", "duplicate", "new"]
    assert Partner.objects.count() == 1


def test_duplicate_by_website_in_another_spelling(coordinator, chain_a, partner_a):
    partner_a.website = "https://www.amatola.example/"
    partner_a.save()
    text = "Name,Website\nAmatola Timber Co,http://amatola.example\n"
    job = check(start(coordinator, chain_a, "partners", text))
    assert job.duplicates[0]["reason"] == "same website"


def test_partners_of_other_chains_are_not_shown_as_duplicates(coordinator, chain_a, partner_b):
    job = check(start(coordinator, chain_a, "partners", "Name\nRiverbend Farm\n"))
    assert job.rows_duplicate == 0


def test_errors_name_row_and_column(coordinator, chain_a):
    text = (
        "Name,Joined,Role\nGood Farm,2026-01-01,producer\n,2026-01-01,producer\n"
        "Bad Date,31/31/2026,alien\n"
    )
    job = check(start(coordinator, chain_a, "partners", text))
    assert job.rows_with_errors == 2
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(3, "Name"), (4, "Joined"), (4, "Role")}
    assert not job.can_import
    with pytest.raises(services.ImportRefused):
        services.request_import(job, {})


def test_import_creates_partners_in_the_chain_and_undo_removes_them(
    coordinator, chain_a, partner_a
):
    partner_a_blank_region = partner_a
    partner_a_blank_region.region = ""
    partner_a_blank_region.save()
    job = check(start(coordinator, chain_a, "partners", PARTNERS_CSV), action=DuplicateAction.MERGE)
    job = services.request_import(job, {})
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTED, job.failure
    assert (job.rows_created, job.rows_merged) == (2, 1)
    karoo = Partner.objects.get(name="Karoo Honey")
    assert karoo.website == "https://karoohoney.example"
    # Its name joined the search vocabulary: a typo of it is corrected (PostgreSQL).
    from partners.models import SearchWord

    assert SearchWord.objects.filter(word="karoo").exists()
    assert karoo.participations.get().value_chain == chain_a
    assert str(karoo.participations.get().status_changed_on) == "2026-01-15"
    partner_a.refresh_from_db()
    assert partner_a.region == "Eastern Cape"  # filled by the merge
    services.request_undo(job)
    job.refresh_from_db()
    assert job.state == ImportState.UNDONE
    assert not Partner.objects.filter(name__in=["Karoo Honey", "Blue Crane Timber"]).exists()
    partner_a.refresh_from_db()
    assert partner_a.region == ""
    assert Participation.objects.filter(partner=partner_a).count() == 1
    with pytest.raises(services.ImportRefused):
        services.request_undo(job)


def test_skip_choice_per_row_overrides_merge(coordinator, chain_a, partner_a):
    job = check(start(coordinator, chain_a, "partners", PARTNERS_CSV), action=DuplicateAction.MERGE)
    job = services.request_import(job, {"3": "skip"})
    job.refresh_from_db()
    assert (job.rows_created, job.rows_merged, job.rows_skipped) == (2, 0, 1)


def test_people_attach_to_partners_of_the_chain(coordinator, chain_a, partner_a, partner_b):
    existing = PersonFactory(first_name="Sipho", last_name="Dlamini", email="sipho@amatola.example")
    AffiliationFactory(person=existing, partner=partner_a)
    text = (
        "First Name,Surname,E-mail,Tel,Organisation\n"
        "Nomsa,Khumalo,nomsa@amatola.example,+27 82 555 0101,amatola sawmill\n"
        "Sipho,Dlamini,SIPHO@amatola.example,,Amatola Sawmill\n"
        "Jan,Smit,jan@riverbend.example,,Riverbend Farm\n"
        "Lea,Nkosi,nomsa@amatola.example,,Amatola Sawmill\n"
    )
    job = check(start(coordinator, chain_a, "people", text))
    assert job.mapping == {
        "First Name": "first_name",
        "Surname": "last_name",
        "E-mail": "email",
        "Tel": "phone",
        "Organisation": "organisation",
    }
    assert job.rows_duplicate == 1
    errors = {(e["row"], e["column"]) for e in job.errors}
    assert errors == {(4, "Organisation"), (5, "E-mail")}  # other chain's partner; repeated email


def test_people_import(coordinator, chain_a, partner_a):
    text = "First Name,Surname,E-mail,Organisation\nNomsa,Khumalo,nomsa@x.example,Amatola Sawmill\n"
    job = services.request_import(check(start(coordinator, chain_a, "people", text)), {})
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTED
    person = Person.objects.get(email="nomsa@x.example")
    assert Affiliation.objects.filter(person=person, partner=partner_a).exists()


def test_offers_import_from_xlsx(coordinator, chain_a, partner_a):
    book = Workbook()
    sheet = book.active
    sheet.append(["Supplier", "Commodity", "Qty", "UOM", "Per"])
    sheet.append(["Amatola Sawmill", "Saligna boards", 120.5, "m³", "month"])
    sheet.append(["Amatola Sawmill", "Sawdust", "lots", "t", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    job = check(start(coordinator, chain_a, "offers", buffer.getvalue(), "offers.xlsx"))
    assert job.errors == [{"row": 3, "column": "Qty", "message": "“lots” is not a number."}]
    fixed = Workbook()
    fixed.active.append(["Supplier", "Commodity", "Qty", "UOM", "Per"])
    fixed.active.append(["Amatola Sawmill", "Saligna boards", 120.5, "m³", "month"])
    buffer = io.BytesIO()
    fixed.save(buffer)
    job = services.replace_file(job, "offers.xlsx", buffer.getvalue())
    job = services.request_import(check(job), {})
    job.refresh_from_db()
    offer = Offer.objects.get()
    assert (offer.product.name, str(offer.volume), offer.period) == (
        "Saligna boards",
        "120.50",
        "month",
    )


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (b"", "x.csv", "empty"),
        (b"\x00\x01\x02binary" * 16, "x.csv", "not look like a CSV"),
        (b"Name,Region\n", "x.csv", "no data rows"),
        (b"Name,,Region\nA,,B\n", "x.csv", "Column 2 has no header"),
        (b"Name\nA\n", "x.pdf", "Upload a .csv, .xlsx"),
        (b"PK\x03\x04garbage", "x.xlsx", "cannot be opened"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(coordinator, chain_a, data, filename, message):
    with pytest.raises(SpreadsheetError, match=message):
        services.start_import(coordinator, chain_a, "partners", filename, data)
    assert ImportJob.objects.count() == 0


def test_file_over_the_size_limit(coordinator, chain_a, settings):
    settings.VCC_IMPORT_MAX_BYTES = 100
    with pytest.raises(SpreadsheetError, match="the limit is"):
        start(coordinator, chain_a, "partners", "Name\n" + "A long partner name\n" * 10)


def test_missing_required_column_is_refused(coordinator, chain_a):
    job = start(coordinator, chain_a, "partners", "Region\nCape\n")
    with pytest.raises(services.ImportRefused, match="Name"):
        services.request_check(job, job.mapping, "skip")


def test_an_import_that_fails_midway_writes_nothing(coordinator, chain_a, monkeypatch):
    job = check(start(coordinator, chain_a, "partners", PARTNERS_CSV))

    def broken(self, new, merge):
        Partner.objects.bulk_create([Partner(name="half")])
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Run, "write_partners", broken)
    services.request_import(job, {})  # the task fails (in the worker's log)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert Partner.objects.count() == 0


def test_duplicate_lookup_is_batched(
    coordinator, chain_a, partner_a, django_assert_max_num_queries
):
    for n in (10, 300):
        text = "Name,Website\n" + "".join(f"Farm {i},farm{i}.example\n" for i in range(n))
        job = start(coordinator, chain_a, "partners", text)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportState.VALIDATING)
        # claim, load job, chain ids, name lookup, website lookup, progress (x2), findings
        with django_assert_max_num_queries(9):
            assert services.check_import(job.pk)


def test_undo_removes_the_import_and_what_hangs_on_it_but_nothing_else(
    coordinator, chain_a, partner_a, chain_b
):
    """What was added since to an imported partner goes with it, as the models' cascades say;
    the partners and products that were there before, and what refers to them, stay."""
    job = check(start(coordinator, chain_a, "partners", PARTNERS_CSV))
    services.request_import(job, {})
    offers = "Supplier,Commodity,Qty,UOM\nKaroo Honey,Fynbos honey,10,kg\n"
    offers_job = services.request_import(check(start(coordinator, chain_a, "offers", offers)), {})
    karoo = Partner.objects.get(name="Karoo Honey")
    honey = Product.objects.get(name="Fynbos honey")
    # Added by hand after the imports: on the imported partner, and on the one already there.
    later_offer = OfferFactory(partner=karoo, product=ProductFactory(name="Comb honey"))
    kept_offer = OfferFactory(partner=partner_a, product=honey)
    person = PersonFactory()
    AffiliationFactory(person=person, partner=karoo)
    AffiliationFactory(person=person, partner=partner_a)
    Relationship.objects.create(source=karoo, target=partner_a, kind="buyer_supplier")
    report = OutcomeReport.objects.create(
        partner=partner_a,
        value_chain=chain_a,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        sales_to=karoo,
    )

    services.request_undo(offers_job)
    offers_job.refresh_from_db()
    assert offers_job.state == ImportState.UNDONE
    assert not Offer.objects.filter(partner=karoo, product=honey).exists()
    assert Product.objects.filter(pk=honey.pk).exists()  # partner A offers it since

    services.request_undo(job)
    job.refresh_from_db()
    assert job.state == ImportState.UNDONE, job.failure
    assert not Partner.objects.filter(name__in=["Karoo Honey", "Blue Crane Timber"]).exists()
    assert not Offer.objects.filter(pk=later_offer.pk).exists()  # went with Karoo Honey
    assert not Relationship.objects.exists()
    assert set(Offer.objects.all()) == {kept_offer}
    assert Person.objects.filter(pk=person.pk).exists()
    assert list(Affiliation.objects.filter(person=person).values_list("partner", flat=True)) == [
        partner_a.pk
    ]
    assert list(Participation.objects.values_list("partner", flat=True)) == [partner_a.pk]
    report.refresh_from_db()
    assert report.sales_to is None  # the report stays; the buyer it named is gone
    # The database's own triggers still work after the undo: a participation takes its
    # partner's name, and follows a rename.
    joined = Participation.objects.create(partner=partner_a, value_chain=chain_b)
    Partner.objects.filter(pk=partner_a.pk).update(name="Amatola Timber")
    joined.refresh_from_db()
    assert joined.partner_name == "Amatola Timber"


def test_undo_refused_by_a_protected_row_removes_nothing(coordinator, chain_a, partner_a):
    from convenings.models import ActionItem

    text = "First Name,Surname,E-mail,Organisation\nNomsa,Khumalo,nomsa@x.example,Amatola Sawmill\n"
    job = services.request_import(check(start(coordinator, chain_a, "people", text)), {})
    nomsa = Person.objects.get(email="nomsa@x.example")
    ActionItem.objects.create(
        value_chain=chain_a, title="Kiln quote", owner=nomsa, due_on=datetime.date(2026, 5, 1)
    )
    services.request_undo(job)  # the task fails on the action item (in the worker's log)
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTED
    assert "nothing was removed" in job.failure
    assert Affiliation.objects.filter(person=nomsa, partner=partner_a).exists()


def test_offers_the_partner_already_lists_are_duplicates_and_skipped(
    coordinator, chain_a, partner_a
):
    OfferFactory(partner=partner_a, product=ProductFactory(name="Saligna boards"))
    text = (
        "Supplier,Commodity,Qty,UOM\n"
        "Amatola Sawmill,saligna BOARDS,10,m³\n"
        "Amatola Sawmill,Sawdust,4,t\n"
    )
    job = check(start(coordinator, chain_a, "offers", text), action=DuplicateAction.MERGE)
    assert (job.rows_duplicate, job.rows_with_errors) == (1, 0)
    assert job.duplicates[0]["row"] == 2
    assert job.duplicates[0]["existing"] == "Saligna boards of Amatola Sawmill"
    assert job.duplicates[0]["reason"] == "same offer"
    assert [p["result"] for p in job.preview] == ["duplicate", "new"]
    job = services.request_import(job, {})
    job.refresh_from_db()
    assert (job.rows_created, job.rows_skipped) == (1, 1)
    assert sorted(Offer.objects.values_list("product__name", flat=True)) == [
        "Saligna boards",
        "Sawdust",
    ]


def test_needs_are_checked_against_needs_not_offers(coordinator, chain_a, partner_a):
    from partners.models import Need

    OfferFactory(partner=partner_a, product=ProductFactory(name="Kiln time"))
    text = "Buyer,Product,Volume,Unit\nAmatola Sawmill,Kiln time,5,h\n"
    job = check(start(coordinator, chain_a, "needs", text))
    assert job.rows_duplicate == 0
    services.request_import(job, {})
    assert Need.objects.filter(partner=partner_a, product__name="Kiln time").exists()
