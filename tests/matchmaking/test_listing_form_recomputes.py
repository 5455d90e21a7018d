"""A saved offer or need has its suggestions without anyone pressing a button: saving through
the page's form queues the recompute (partners.services.save_listing → vcc.hooks.listing_changed
→ matchmaking.receivers) once the change is committed. The worker itself runs it in
test_celery_suggestions.py."""

from django.urls import reverse

from matchmaking.models import Suggestion
from partners.models import Offer
from tests.factories import NeedFactory, ParticipationFactory, PartnerFactory, ProductFactory


def _form(product):
    months = [str(m) for m in range(1, 13)]
    return {
        "product": product.pk,
        "volume": "100",
        "unit": "kg",
        "period": "year",
        "months": months,
    }


def test_an_offer_saved_through_its_form_gets_its_suggestions(
    as_coordinator, chain_a, partner_a, django_capture_on_commit_callbacks
):
    boards = ProductFactory(name="Saligna boards")
    need = NeedFactory(partner=partner_a, product=boards)
    supplier = PartnerFactory(name="Kei Forestry")
    ParticipationFactory(partner=supplier, value_chain=chain_a)
    url = reverse("partners:listing_create", args=[supplier.pk, "offers"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = as_coordinator.post(url, _form(boards))
    assert response.status_code == 302, response.content.decode()[:500]
    offer = Offer.objects.get(partner=supplier)
    assert not Suggestion.objects.exists()  # nothing before the commit
    assert queued  # the recompute waits for it
    for callback in queued:
        callback()
    assert Suggestion.objects.filter(need=need, offer=offer).exists()


def test_a_need_saved_through_its_form_gets_its_suggestions(
    as_coordinator, chain_a, partner_a, django_capture_on_commit_callbacks
):
    boards = ProductFactory(name="Saligna boards")
    supplier = PartnerFactory(name="Kei Forestry")
    ParticipationFactory(partner=supplier, value_chain=chain_a)
    Offer.objects.create(partner=supplier, product=boards, volume=500, unit="kg", period="year")
    url = reverse("partners:listing_create", args=[partner_a.pk, "needs"])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(url, _form(boards))
    assert response.status_code == 302, response.content.decode()[:500]
    assert Suggestion.objects.filter(need__partner=partner_a, supplier=supplier).exists()
