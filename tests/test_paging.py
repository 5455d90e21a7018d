"""Keyset pagination over any ordering, forwards and backwards."""

import pytest

from partners.models import Partner
from tests.factories import PartnerFactory
from vcc.paging import keyset_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "ordering", [["name", "id"], ["-name", "-id"], ["region", "name", "id"], ["-updated_at", "-id"]]
)
def test_pages_cover_every_row_once_in_order(ordering):
    for i in range(23):
        PartnerFactory(name=f"P{i % 7}", region=["A", "B", "C"][i % 3])
    expected = list(Partner.objects.order_by(*ordering).values_list("pk", flat=True))
    seen, cursor, pages = [], None, []
    while True:
        page = keyset_page(Partner.objects.all(), ordering, cursor, 5)
        pages.append(page)
        seen += [p.pk for p in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
    # Walk back from the last page to the first.
    back = keyset_page(Partner.objects.all(), ordering, pages[-1].prev_cursor, 5)
    assert [p.pk for p in back.rows] == [p.pk for p in pages[-2].rows]
    assert pages[0].prev_cursor is None


@pytest.mark.parametrize("ordering", [["name", "id"], ["-name", "-id"]])
def test_a_list_read_in_parts_pages_as_one(ordering):
    for i in range(23):
        PartnerFactory(name=f"P{i % 7}", region=["A", "B", "C"][i % 3])
    parts = [Partner.objects.filter(region="A"), Partner.objects.exclude(region="A")]
    expected = list(Partner.objects.order_by(*ordering).values_list("pk", flat=True))
    seen, cursor, pages = [], None, []
    while True:
        page = keyset_page(parts, ordering, cursor, 5)
        pages.append(page)
        seen += [p.pk for p in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
    back = keyset_page(parts, ordering, pages[-1].prev_cursor, 5)
    assert [p.pk for p in back.rows] == [p.pk for p in pages[-2].rows]


def test_empty_table_has_no_pages():
    page = keyset_page(Partner.objects.all(), ["name", "id"], None, 5)
    assert page.rows == [] and not page.has_other_pages
