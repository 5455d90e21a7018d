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
