"""A page and its htmx fragment share a URL, so every HTML answer says it varies on HX-Request:
a cache in between never hands the fragment to a browser that asked for the whole page."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _vary(response):
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def test_the_page_and_its_fragment_both_vary_on_hx_request(coordinator, partner_a):
    client = client_for(coordinator)
    url = reverse("partners:detail", args=[partner_a.pk]) + "?tab=timeline"
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert "hx-request" in _vary(page)
    assert "hx-request" in _vary(fragment)


def test_a_download_is_left_alone(coordinator, chain_a):
    response = client_for(coordinator).get(reverse("partners:directory_csv"))
    assert not response["Content-Type"].startswith("text/html")
    assert "hx-request" not in _vary(response)
