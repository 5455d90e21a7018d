"""An observer reads a person's page, and neither exports nor erases them (403): handling a
person's data is for the person and their chain's coordinators."""

import pytest
from django.urls import reverse

from partners.models import Person
from privacy.models import PrivacyRequest
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_observer_may_neither_export_nor_erase(observer, partner_a_user):
    person = partner_a_user.person
    client = client_for(observer)
    page = client.get(reverse("partners:person", args=[person.pk])).content.decode()
    assert "Personal data" in page and reverse("privacy:export", args=[person.pk]) not in page
    assert client.post(reverse("privacy:export", args=[person.pk])).status_code == 403
    assert client.get(reverse("privacy:erase", args=[person.pk])).status_code == 403
    assert (
        client.post(reverse("privacy:erase", args=[person.pk]), {"confirm": "on"}).status_code
        == 403
    )
    assert Person.objects.get(pk=person.pk).first_name == "Alice"
    assert not PrivacyRequest.objects.exists()
