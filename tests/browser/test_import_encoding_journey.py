"""Journey (issue 17, spreadsheets as coordinators have them): a coordinator uploads the CSV
European Excel on Windows saves (Windows-1252, semicolons); the page says how it was read and
the dry run shows the accents right, on a laptop and on a phone."""

import pytest
from playwright.sync_api import expect

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXCEL_CSV = "Organisation Nmae;Town;Kind\nCafé Môreson;Franschhoek;business\n".encode("cp1252")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_windows_1252_semicolon_file_is_read_and_said(new_page, coordinator, chain_a, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, coordinator.username)
    page.goto("/imports/")
    page.get_by_label("Into value chain").select_option(label="Saligna Hardwood")
    page.get_by_label("The file lists").select_option("partners")
    page.get_by_label("Spreadsheet").set_input_files(
        {"name": "members.csv", "mimeType": "text/csv", "buffer": EXCEL_CSV}
    )
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.locator(".read-as")).to_contain_text("Read as Windows-1252, semicolon-separated.")
    expect(page.get_by_label("Organisation Nmae")).to_have_value("name")
    expect(page.locator(".near-match")).to_contain_text("Guessed as “Name”")
    page.get_by_role("button", name="Check the rows (dry run)").click()
    first = page.locator("table.preview tbody tr").first.locator("td")
    # Each value under its own column, in the file's order.
    expect(first.nth(1)).to_have_text("Café Môreson")
    expect(first.nth(2)).to_have_text("business")
    screenshot(page, f"import-read-as-{width}")
