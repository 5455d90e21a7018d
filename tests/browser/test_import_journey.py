"""Journey (outcomes and import issue): a coordinator uploads a spreadsheet with two bad rows
and an unusual header, fixes the mapping, sees the errors, corrects the file, imports it, and
opens the dashboard with its charts. A partner reports its outcomes from its own page."""

import pytest
from playwright.sync_api import expect

from imports.models import ImportJob
from outcomes.models import OutcomeReport
from partners.models import Partner

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = (
    "Business Title,Town,Role,Joined\n"
    "Karoo Honey,Graaff-Reinet,producer,2026-01-15\n"
    "Blue Crane Timber,Cradock,sawmill-ish,2026-02-01\n"
    "Amatola Sawmill,Stutterheim,processor,2026-02-20\n"
    "Sundays River Citrus,Kirkwood,producer,31/02/2026\n"
)
GOOD = BAD.replace("sawmill-ish", "processor").replace("31/02/2026", "28/02/2026")


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def test_upload_fix_mapping_correct_import_and_dashboard(new_page, coordinator, chain_a, partner_a):
    page = new_page()
    sign_in(page, coordinator.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outcomes").click()
    page.get_by_role("link", name="Import a spreadsheet").click()
    page.get_by_label("Into value chain").select_option(label="Saligna Hardwood")
    page.get_by_label("The file lists").select_option("partners")
    page.get_by_label("Spreadsheet").set_input_files(csv_file("members.csv", BAD))
    page.get_by_role("button", name="Upload and check the columns").click()

    # "Business Title" is not a header we know: the user says it holds the name.
    expect(page.get_by_role("heading", name="1. Match the columns")).to_be_visible()
    expect(page.get_by_label("Business Title")).to_have_value("")
    expect(page.get_by_label("Joined")).to_have_value("joined_on")
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the column that holds “Name”")
    page.get_by_label("Business Title").select_option("name")
    page.get_by_label("Town").select_option("region")
    screenshot(page, "import-mapping")
    page.get_by_role("button", name="Check the rows (dry run)").click()

    errors = page.locator("table.errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(0)).to_contain_text("Role")
    expect(errors.nth(1)).to_contain_text("Joined")
    expect(errors.nth(1)).to_contain_text("is not a date")
    expect(page.locator("#dry-run")).to_contain_text("2 with errors")
    expect(page.get_by_role("button", name="Import 4 rows")).to_have_count(0)
    screenshot(page, "import-dry-run-errors")
    assert Partner.objects.count() == 1  # nothing written by the dry run

    page.get_by_label("Corrected file").set_input_files(csv_file("members-fixed.csv", GOOD))
    page.get_by_role("button", name="Replace the file").click()
    expect(page.get_by_label("Business Title")).to_have_value("name")  # the mapping is kept
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(page.locator("#dry-run")).to_contain_text("0 with errors")
    duplicates = page.locator("table.duplicates tbody tr")
    expect(duplicates).to_have_count(1)
    expect(duplicates).to_contain_text("Amatola Sawmill")
    duplicates.get_by_label("merge").check()
    screenshot(page, "import-ready")
    page.get_by_role("button", name="Import 4 rows").click()

    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.locator(".card").first).to_contain_text("3 created, 1 merged")
    job = ImportJob.objects.get()
    assert job.state == "imported"
    assert set(chain_a.participations.values_list("partner__name", flat=True)) == {
        "Amatola Sawmill",
        "Karoo Honey",
        "Blue Crane Timber",
        "Sundays River Citrus",
    }
    screenshot(page, "import-done")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="What the network achieved")).to_be_visible()
    stages = page.locator("#figure-stages")
    # Stages, not statuses: Amatola, at its stage; the imported prospects are at none yet.
    expect(stages.locator("svg rect.chart-bar")).to_have_count(1)
    expect(stages).to_contain_text("joined at")
    expect(page.locator("#figure-sales")).to_contain_text("No sales reported")
    screenshot(page, "dashboard")


def test_partner_reports_outcomes(new_page, partner_a_user, partner_a, chain_a):
    page = new_page()
    sign_in(page, partner_a_user.username)
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_text("No outcomes reported yet.")).to_be_visible()
    page.get_by_label("Period from").fill("2026-01-01")
    page.get_by_label("Period to").fill("2025-12-31")
    page.get_by_label("Sales through the chain (value)").fill("18000")
    page.get_by_label("Jobs created").fill("2")
    page.get_by_role("button", name="Save outcomes").click()
    expect(page.locator("#field-period_end")).to_contain_text("The period ends before it starts")
    expect(page.get_by_label("Sales through the chain (value)")).to_have_value("18000")
    page.get_by_label("Period to").fill("2026-03-31")
    page.get_by_role("button", name="Save outcomes").click()
    expect(page.get_by_text("Outcomes saved")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text("18,000")
    assert OutcomeReport.objects.get().partner == partner_a
    screenshot(page, "partner-outcomes")
