"""Journey (outcomes and spreadsheets issue, import half): a coordinator uploads a spreadsheet
with two bad rows and an unusual header, fixes the mapping, sees the errors, corrects the file,
imports it, and finds the partners in the directory. (The dashboard arrives with its half.)"""

import pytest
from playwright.sync_api import expect

from partners.models import Partner

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "Business,Where,Web,Joined\n"  # "Where" is no known name for the region
ROWS = [
    "Kei River Timber,Eastern Cape,keitimber.example,2026-03-01\n",
    "Mthatha Boards,Eastern Cape,,2026-13-01\n",  # no 13th month
    ",Eastern Cape,,\n",  # no name
    "Coastal Chairs,KwaZulu-Natal,coastal.example,\n",
]


def test_import_with_errors_corrected(new_page, coordinator, chain_a, tmp_path):
    bad = tmp_path / "partners.csv"
    bad.write_text(HEADER + "".join(ROWS))
    page = new_page()
    sign_in(page, coordinator.username)
    page.get_by_role("link", name="Import a spreadsheet").click()
    page.select_option("#id_value_chain", label="Saligna Hardwood")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()

    # "Business" was recognised as the name; "Where" was not: the coordinator says it is the
    # region.
    expect(page.get_by_label("Name (required)")).to_have_value("0")
    expect(page.get_by_label("Region")).to_have_value("")
    page.get_by_label("Region").select_option(label="Where")
    page.get_by_role("button", name="Check every row").click()
    errors = page.locator("#errors")
    expect(errors).to_contain_text("is not a date")
    expect(errors).to_contain_text("Name is required")
    expect(page.locator("#errors tbody tr")).to_have_count(2)
    screenshot(page, "import-errors")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert not Partner.objects.filter(name="Kei River Timber").exists()

    # The corrected file, uploaded again.
    good = tmp_path / "partners-fixed.csv"
    good.write_text(HEADER + ROWS[0] + ROWS[1].replace("2026-13-01", "2026-12-01") + ROWS[3])
    page.get_by_role("link", name="Imports").click()
    page.select_option("#id_value_chain", label="Saligna Hardwood")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.get_by_label("Region").select_option(label="Where")
    page.get_by_role("button", name="Check every row").click()
    expect(page.get_by_text("0 errors")).to_be_visible()
    page.get_by_role("button", name="Import 3 new").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    page.get_by_role("link", name="See the partners of Saligna Hardwood").click()
    expect(page.get_by_role("link", name="Coastal Chairs")).to_be_visible()
    assert Partner.objects.get(name="Mthatha Boards").region == "Eastern Cape"
    screenshot(page, "import-done")
