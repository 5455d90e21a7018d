"""Every URL of convenings, working groups, action items and the outbox × every role.

Roles: anonymous, partner member of A (a member of the group), partner member of B,
coordinator of chain A, coordinator of chain B, and the working-group lead (a member of A).
302 is "sent to sign in"; a hidden object is a 404; a page one may see but not use is a 403.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from convenings.models import ActionItem, Convening, Invitee
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "partner_a",
    "partner_b",
    "coordinator",
    "other_coordinator",
    "lead",
    "observer",
]


@pytest.fixture
def world(
    group,
    meeting,
    workshop,
    coordinator,
    other_coordinator,
    partner_a_user,
    partner_b_user,
    lead,
    observer,
):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    item = ActionItem.objects.create(
        value_chain=group.value_chain,
        working_group=group,
        title="Measure moisture",
        owner=partner_a_user.person,
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    invitee = meeting.invitees.get()
    clients = {
        "anonymous": client_for(None),
        "partner_a": client_for(partner_a_user),
        "partner_b": client_for(partner_b_user),
        "coordinator": client_for(coordinator),
        "other_coordinator": client_for(other_coordinator),
        "lead": client_for(lead),
        "observer": client_for(observer),
    }
    m, w, g = meeting.pk, workshop.pk, group.pk
    urls = {
        "list": reverse("convenings:list"),
        "create": reverse("convenings:create"),
        "meeting": reverse("convenings:detail", args=[m]),
        "meeting_edit": reverse("convenings:edit", args=[m]),
        "meeting_minutes": reverse("convenings:minutes", args=[m]),
        "meeting_ics": reverse("convenings:ics", args=[m]),
        "meeting_action_new": reverse("convenings:action_new", args=[m]),
        "meeting_invite": reverse("convenings:invite", args=[m]),
        "meeting_cancel": reverse("convenings:cancel", args=[m]),
        "workshop_cancel": reverse("convenings:cancel", args=[w]),
        "missing_cancel": reverse("convenings:cancel", args=[999999]),
        "workshop": reverse("convenings:detail", args=[w]),
        "workshop_edit": reverse("convenings:edit", args=[w]),
        "groups": reverse("convenings:groups"),
        "group_create": reverse("convenings:group_create"),
        "group": reverse("convenings:group", args=[g]),
        "group_edit": reverse("convenings:group_edit", args=[g]),
        "group_meeting": reverse("convenings:group_meeting", args=[g]),
        "action": reverse("convenings:action", args=[item.pk]),
        "overdue": reverse("convenings:overdue"),
        "my_actions": reverse("convenings:my_actions"),
        "calendar": reverse("convenings:my_calendar"),
        "outbox": reverse("outbox:outbox"),
        "missing_convening": reverse("convenings:detail", args=[999999]),
        "missing_group": reverse("convenings:group", args=[999999]),
        "missing_action": reverse("convenings:action", args=[999999]),
    }
    posts = {
        "invite": reverse("convenings:invite", args=[m]),
        "attendance": reverse("convenings:attendance", args=[m, invitee.pk]),
        "rsvp": reverse("convenings:rsvp", args=[m]),
        "group_action": reverse("convenings:group_action", args=[g]),
    }
    return clients, urls, posts


# Coordinators, observers and superusers have no Person: "calendar" is a 404 for them.
EXPECTED = {
    #                       anon partA partB coord other lead  obs
    "list": (302, 200, 200, 200, 200, 200, 200),
    "create": (302, 403, 403, 200, 200, 403, 403),
    "meeting": (302, 200, 404, 200, 404, 200, 200),
    "meeting_edit": (302, 403, 404, 200, 404, 200, 403),
    "meeting_minutes": (302, 403, 404, 200, 404, 200, 403),
    "meeting_ics": (302, 200, 404, 200, 404, 200, 200),
    "meeting_action_new": (302, 403, 404, 200, 404, 200, 403),
    "meeting_invite": (302, 403, 404, 200, 404, 200, 403),
    "meeting_cancel": (302, 403, 404, 200, 404, 200, 403),
    "workshop_cancel": (302, 403, 404, 200, 404, 404, 403),
    "missing_cancel": (302, 404, 404, 404, 404, 404, 404),
    "workshop": (302, 200, 404, 200, 404, 404, 200),
    "workshop_edit": (302, 403, 404, 200, 404, 404, 403),
    "groups": (302, 200, 200, 200, 200, 200, 200),
    "group_create": (302, 403, 403, 200, 200, 403, 403),
    "group": (302, 200, 404, 200, 404, 200, 200),
    "group_edit": (302, 403, 404, 200, 404, 200, 403),
    "group_meeting": (302, 403, 404, 200, 404, 200, 403),
    "action": (302, 200, 404, 200, 404, 200, 200),
    "overdue": (302, 403, 403, 200, 200, 403, 403),
    "my_actions": (302, 200, 200, 200, 200, 200, 200),
    "calendar": (302, 200, 200, 404, 404, 200, 404),
    "outbox": (302, 403, 403, 200, 200, 403, 403),
    "missing_convening": (302, 404, 404, 404, 404, 404, 404),
    "missing_group": (302, 404, 404, 404, 404, 404, 404),
    "missing_action": (302, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_get_matrix(world, name):
    clients, urls, _ = world
    got = tuple(clients[role].get(urls[name]).status_code for role in ROLES)
    assert got == EXPECTED[name], dict(zip(ROLES, got, strict=True))


@pytest.mark.parametrize("name", EXPECTED)
def test_get_matrix_htmx(world, name):
    clients, urls, _ = world
    got = tuple(clients[role].get(urls[name], HTTP_HX_REQUEST="true").status_code for role in ROLES)
    assert got == EXPECTED[name], dict(zip(ROLES, got, strict=True))


# POSTs that change something: who is refused, and that nothing changed.
POST_EXPECTED = {
    #                  anon partA partB coord other lead  obs
    "invite": (302, 403, 404, 200, 404, 200, 403),
    "attendance": (302, 403, 404, 302, 404, 302, 403),
    "rsvp": (302, 302, 404, 403, 404, 403, 403),
    "group_action": (302, 403, 404, 400, 404, 400, 403),
}


@pytest.mark.parametrize("name", POST_EXPECTED)
def test_post_matrix(world, name, meeting):
    """Refused POSTs write nothing; allowed ones get through (200/400: the empty form's
    errors)."""
    clients, _, posts = world
    got = []
    for role in ROLES:
        before = (
            ActionItem.objects.count(),
            list(Invitee.objects.values_list("pk", "rsvp", "attended")),
        )
        data = {"attended": "on", "rsvp": "yes", "people": [], "title": ""}
        response = clients[role].post(posts[name], data)
        got.append(response.status_code)
        if response.status_code in (403, 404) or role == "anonymous":
            after = (
                ActionItem.objects.count(),
                list(Invitee.objects.values_list("pk", "rsvp", "attended")),
            )
            assert after == before, role
    assert tuple(got) == POST_EXPECTED[name], dict(zip(ROLES, got, strict=True))


def test_lead_edits_group_page_but_not_membership(world, group, lead):
    clients, urls, _ = world
    response = clients["lead"].post(
        urls["group_edit"],
        {"name": "Kilns and drying", "problem": "Less waste", "status": "active"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Kilns and drying"
    assert group.lead == lead.person


def test_member_sees_group_but_not_edit_links(world):
    clients, urls, _ = world
    page = clients["partner_a"].get(urls["group"]).content.decode()
    assert "Drying kilns" in page
    assert "Schedule a meeting" not in page
    assert "Post an action item" not in page


def test_other_chain_convening_invisible_in_list(world, other_coordinator, chain_b):
    clients, urls, _ = world
    start = timezone.now() + datetime.timedelta(days=3)
    Convening.objects.create(
        value_chain=chain_b,
        kind="webinar",
        title="Packers' webinar",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        online_link="https://meet.example.org/p",
    )
    assert "Packers" not in clients["coordinator"].get(urls["list"]).content.decode()
    assert "Packers" in clients["other_coordinator"].get(urls["list"]).content.decode()
    assert "Packers" not in clients["partner_a"].get(urls["list"]).content.decode()


def test_cancel_post_matrix(world, meeting, workshop, django_user_model):
    """The chain's coordinators and a superuser cancel a convening, and the group's lead its
    meeting; a refused POST leaves it scheduled."""
    clients, _, _ = world
    root = django_user_model.objects.create_superuser("root@example.org", "root@example.org", "x")
    clients["superuser"] = client_for(root)
    refused = {
        "anonymous": 302,
        "partner_a": 403,
        "partner_b": 404,
        "other_coordinator": 404,
        "observer": 403,
    }
    cases = (
        (meeting, refused, ["lead", "coordinator", "superuser"]),
        (workshop, {**refused, "lead": 404}, ["coordinator", "superuser"]),
    )
    for convening, expected, allowed in cases:
        url = reverse("convenings:cancel", args=[convening.pk])
        got = {role: clients[role].post(url, {"note": "Off"}).status_code for role in expected}
        assert got == expected
        convening.refresh_from_db()
        assert not convening.is_cancelled
        for role in allowed:
            Convening.objects.filter(pk=convening.pk).update(status="scheduled", cancelled_at=None)
            assert clients[role].get(url).status_code == 200, role
            assert clients[role].post(url, {"note": f"Off ({role})"}).status_code == 302, role
            convening.refresh_from_db()
            assert convening.is_cancelled and convening.cancellation_note == f"Off ({role})"
