"""Issue 15: an introduction's one-click answer, replayed, records nothing twice."""

import pytest
from django.urls import reverse

from matchmaking import emails
from matchmaking.models import Introduction, IntroductionStatus
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def introduction(chain_a, partner_a):
    return Introduction.objects.create(
        value_chain=chain_a,
        partner_a=partner_a,
        partner_b=PartnerFactory(name="Coastal Exporters"),
        reason="Boards for export",
    )


def _url(introduction, partner, answer):
    return reverse(
        "matchmaking:introduction_answer",
        args=[emails.answer_token(introduction, partner.pk, answer)],
    )


def test_replaying_an_answer_adds_no_event_and_no_second_change(client, introduction, partner_a):
    url = _url(introduction, partner_a, "talking")
    assert client.post(url).status_code == 200
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.TALKING
    changed_at = introduction.status_changed_at
    events = list(introduction.events.values_list("status", "note"))
    assert events == [("talking", "Answered by email for Amatola Sawmill: We are talking.")]
    for _ in range(3):
        assert client.post(url).status_code == 200
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.TALKING
    assert introduction.status_changed_at == changed_at
    assert list(introduction.events.values_list("status", "note")) == events


def test_each_side_answer_is_kept_once(client, introduction, partner_a):
    client.post(_url(introduction, partner_a, "talking"))
    client.post(_url(introduction, introduction.partner_b, "talking"))
    client.post(_url(introduction, introduction.partner_b, "talking"))
    notes = list(introduction.events.values_list("note", flat=True))
    assert notes == [
        "Answered by email for Amatola Sawmill: We are talking.",
        "Answered by email for Coastal Exporters: We are talking.",
    ]


def test_a_later_answer_still_moves_it_forward(client, introduction, partner_a):
    client.post(_url(introduction, partner_a, "talking"))
    client.post(_url(introduction, partner_a, "trading"))
    client.post(_url(introduction, partner_a, "talking"))  # an old link: it does not go back
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.TRADING
    assert introduction.events.count() == 2
