"""Issue 15: a name of 5,000 characters (pasted by mistake) is refused beside its field, and
nothing is saved; every page that shows names in headings and rows stays readable."""

import pytest
from django.urls import reverse

from convenings.models import ActionItem, Convening, WorkingGroup
from partners.models import Commitment, Partner, Person

pytestmark = pytest.mark.django_db
LONG = "x" * 5000


def _error(response, field):
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any("at most" in e for e in errors), errors
    assert "at most" in response.content.decode()


def test_partner_name(as_coordinator):
    response = as_coordinator.post(reverse("partners:create"), {"name": LONG, "kind": "business"})
    _error(response, "name")
    assert response.context["form"]["name"].value() == LONG  # nothing typed is lost
    assert not Partner.objects.filter(name=LONG).exists()


def test_partner_name_on_edit(as_partner_a, partner_a):
    url = reverse("partners:edit", args=[partner_a.pk])
    _error(as_partner_a.post(url, {"name": LONG, "kind": "business"}), "name")
    partner_a.refresh_from_db()
    assert partner_a.name == "Amatola Sawmill"


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_person_names(as_coordinator, partner_a, field):
    before = Person.objects.count()
    data = {"first_name": "Thandi", "last_name": "Mokoena", "email": "t@example.org", field: LONG}
    response = as_coordinator.post(reverse("partners:person_create", args=[partner_a.pk]), data)
    _error(response, field)
    assert Person.objects.count() == before


def test_commitment_description(as_coordinator, partner_a, chain_a):
    url = reverse("partners:commitment_create", args=[partner_a.pk])
    data = {"value_chain": chain_a.pk, "description": LONG, "status": "open"}
    _error(as_coordinator.post(url, data), "description")
    assert not Commitment.objects.exists()


def test_convening_title(as_coordinator, chain_a):
    data = {
        "chain": chain_a.pk,
        "kind": "workshop",
        "title": LONG,
        "time_zone": "UTC",
        "starts_at": "2031-05-01T09:00",
        "ends_at": "2031-05-01T12:00",
        "place": "Hall",
    }
    _error(as_coordinator.post(reverse("convenings:create"), data), "title")
    assert not Convening.objects.exists()


def test_working_group_name(as_coordinator, chain_a, lead):
    data = {"value_chain": chain_a.pk, "name": LONG, "lead": lead.person.pk, "status": "active"}
    _error(as_coordinator.post(reverse("convenings:group_create"), data), "name")
    assert not WorkingGroup.objects.exists()


def test_action_item_title(as_coordinator, chain_a, coordinator):
    import datetime

    from django.utils import timezone

    start = timezone.now() + datetime.timedelta(days=3)
    convening = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Buyers",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Hall",
    )
    url = reverse("convenings:action_new", args=[convening.pk])
    _error(as_coordinator.post(url, {"title": LONG, "status": "open"}), "title")
    assert not ActionItem.objects.exists()


def test_interest_description(as_coordinator, partner_a, chain_a):
    from partners.models import Interest

    url = reverse("partners:interest_create", args=[partner_a.pk])
    data = {"value_chain": chain_a.pk, "kind": "self", "description": LONG}
    _error(as_coordinator.post(url, data), "description")
    assert not Interest.objects.exists()
