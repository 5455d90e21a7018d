"""Issue 15: the offer and need form starts with no months, saves exactly the months ticked,
and after a save the user lands on the partner's offers tab with a message."""

import pytest
from django.urls import reverse

from partners.models import Need, Offer
from tests.factories import NeedFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_a_new_need_has_no_months_ticked(as_partner_a, partner_a):
    page = as_partner_a.get(reverse("partners:listing_create", args=[partner_a.pk, "needs"]))
    assert page.context["form"]["months"].value() == []
    assert "checked" not in str(page.context["form"]["months"])


def test_ticking_march_to_september_saves_those_months(as_partner_a, partner_a):
    product = ProductFactory()
    url = reverse("partners:listing_create", args=[partner_a.pk, "needs"])
    response = as_partner_a.post(
        url, {"product": product.pk, "volume": "4", "period": "year", "months": range(3, 10)}
    )
    need = Need.objects.get()
    assert need.month_list == list(range(3, 10))
    assert need.season == "Mar, Apr, May, Jun, Jul, Aug, Sep"
    offers_tab = reverse("partners:detail", args=[partner_a.pk]) + "?tab=offers"
    assert response.status_code == 302 and response["Location"] == offers_tab
    landed = as_partner_a.get(offers_tab).content.decode()
    assert "Need saved." in landed and "Mar, Apr, May" in landed


def test_no_months_ticked_is_an_error_beside_the_field(as_partner_a, partner_a):
    product = ProductFactory()
    url = reverse("partners:listing_create", args=[partner_a.pk, "offers"])
    response = as_partner_a.post(url, {"product": product.pk, "volume": "4", "period": "year"})
    assert response.context["form"].errors["months"] == ["Pick at least one month."]
    assert not Offer.objects.exists()


def test_htmx_save_from_the_forms_own_page_redirects_to_the_partner(as_partner_a, partner_a, htmx):
    need = NeedFactory(partner=partner_a)
    url = reverse("partners:listing_edit", args=[partner_a.pk, "needs", need.pk])
    own_page = {**htmx, "HTTP_HX_CURRENT_URL": f"http://testserver{url}"}
    data = {"product": need.product.pk, "volume": "9", "period": "year", "months": [5, 6]}
    response = as_partner_a.post(url, data, **own_page)
    assert response["HX-Redirect"] == partner_a.get_absolute_url() + "?tab=offers"
    need.refresh_from_db()
    assert need.month_list == [5, 6]
    landed = as_partner_a.get(response["HX-Redirect"]).content.decode()
    assert "Need saved." in landed


def test_an_edited_need_keeps_its_months_on_the_form(as_partner_a, partner_a):
    need = NeedFactory(partner=partner_a, months=0b111000)
    url = reverse("partners:listing_edit", args=[partner_a.pk, "needs", need.pk])
    assert as_partner_a.get(url).context["form"]["months"].value() == [4, 5, 6]
