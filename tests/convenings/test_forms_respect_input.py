"""Issue 15: a new convening's time zone, the warning before inviting to a past convening,
and the invitee's own RSVP buttons on /calendar/."""

import datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _selected_zone(html: str) -> str:
    import re

    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]+)" selected', select).group(1)


@pytest.mark.parametrize("zone", ["UTC", "Africa/Johannesburg"])
def test_a_new_convening_starts_in_the_servers_time_zone(as_coordinator, chain_a, settings, zone):
    settings.TIME_ZONE = zone
    page = as_coordinator.get(reverse("convenings:create")).content.decode()
    assert _selected_zone(page) == zone


def test_inviting_to_a_past_convening_asks_first_and_sends_nothing(as_coordinator, meeting, group):
    from django.utils import timezone

    from outbox.models import Message

    meeting.starts_at = timezone.now() - datetime.timedelta(days=3)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.save()
    url = reverse("convenings:invite", args=[meeting.pk])
    assert "This convening is past" in as_coordinator.get(url).content.decode()
    refused = as_coordinator.post(url, {"groups": [group.pk]})
    assert refused.status_code == 200
    assert refused.context["form"].errors["confirm_past"] == [
        "This convening is already over. Tick here to invite anyway."
    ]
    # What was chosen stays chosen.
    assert refused.context["form"]["groups"].value() == [str(group.pk)]
    assert not meeting.invitees.exists() and not Message.objects.exists()
    confirmed = as_coordinator.post(url, {"groups": [group.pk], "confirm_past": "on"}, follow=True)
    assert "2 invited." in confirmed.content.decode()
    assert meeting.invitees.count() == 2


def test_an_upcoming_convening_invites_without_the_question(as_coordinator, meeting, group):
    url = reverse("convenings:invite", args=[meeting.pk])
    assert "This convening is past" not in as_coordinator.get(url).content.decode()
    response = as_coordinator.post(url, {"groups": [group.pk]}, follow=True)
    assert "2 invited." in response.content.decode()


def _rsvp_url(invitee):
    return reverse("convenings:invitation_rsvp", args=[invitee.pk])


def test_the_invitee_answers_from_their_calendar_without_js(as_partner_a, workshop):
    invitee = workshop.invitees.get()
    page = as_partner_a.get(reverse("convenings:my_calendar")).content.decode()
    assert f'action="{_rsvp_url(invitee)}"' in page
    assert 'name="rsvp" value="yes"' in page and 'value="maybe"' in page
    response = as_partner_a.post(_rsvp_url(invitee), {"rsvp": "maybe"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("convenings:my_calendar")
    assert "Buyers&#x27; workshop: Maybe." in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.rsvp == "maybe"


def test_the_invitee_answers_with_htmx_and_the_row_is_swapped(as_partner_a, workshop, htmx):
    invitee = workshop.invitees.get()
    response = as_partner_a.post(_rsvp_url(invitee), {"rsvp": "no"}, **htmx)
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="invitation-{invitee.pk}">') and "<html" not in row
    assert '<span class="badge">No</span>' in row
    invitee.refresh_from_db()
    assert invitee.rsvp == "no"


@pytest.mark.parametrize("who", ["coordinator", "partner_b", "lead"])
def test_nobody_else_answers_someone_elses_invitation(role_users, workshop, who):
    from tests.conftest import client_for

    invitee = workshop.invitees.get()
    response = client_for(role_users[who]).post(_rsvp_url(invitee), {"rsvp": "yes"})
    assert response.status_code == 404
    invitee.refresh_from_db()
    assert invitee.rsvp == "pending"


def test_an_rsvp_link_replayed_keeps_the_first_answer_date(client, workshop):
    from convenings import emails

    invitee = workshop.invitees.get()
    token = emails.rsvp_token(invitee, "yes")
    url = reverse("convenings:rsvp_link", args=[token])
    client.post(url)
    invitee.refresh_from_db()
    first = invitee.rsvp_at
    assert invitee.rsvp == "yes" and first is not None
    client.post(url)
    invitee.refresh_from_db()
    assert invitee.rsvp == "yes" and invitee.rsvp_at == first
