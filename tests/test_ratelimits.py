"""Rate limits (vcc/ratelimits.py): the links in emails, the calendar feeds and password reset
requests answer a client that asks too often with a 429 page saying what happened, and the
decorator `limit` does the same for the views that use it. Counters are per address (and, for
a password reset, per email asked for too)."""

import datetime
import os
import uuid

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

from convenings import emails as convening_emails
from convenings.models import Convening, Invitee
from vcc.ratelimits import limit

from .conftest import require

pytestmark = pytest.mark.django_db


def rate_of(view_name: str, key: str = "ip") -> int:
    from django.conf import settings

    [count] = [r for k, r, _ in settings.VCC_RATE_LIMITS[view_name] if k == key]
    return int(count.split("/")[0])


def hammer(url: str, times: int, *, method: str = "get", address: str = "10.1.1.1", **data):
    client = Client()
    send = getattr(client, method)
    return [send(url, data, REMOTE_ADDR=address).status_code for _ in range(times)]


def assert_429_page(response) -> None:
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many requests" in text and "Try again in" in text
    assert 0 < int(response["Retry-After"]) <= 3600


@pytest.fixture
def invitee(chain_a, coordinator, partner_a_user):
    start = timezone.now() + datetime.timedelta(days=7)
    convening = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Amatola Sawmill boardroom",
        created_by=coordinator,
    )
    return Invitee.objects.create(convening=convening, person=partner_a_user.person)


def test_rsvp_link_is_limited_per_address(invitee):
    url = reverse("convenings:rsvp_link", args=[convening_emails.rsvp_token(invitee, "yes")])
    allowed = rate_of("convenings:rsvp_link")
    assert set(hammer(url, allowed)) == {200}
    response = Client().post(url, REMOTE_ADDR="10.1.1.1")
    assert_429_page(response)
    invitee.refresh_from_db()
    assert invitee.rsvp == "pending", "a limited answer changes nothing"
    # Someone else, at another address, answers as usual.
    assert Client().post(url, REMOTE_ADDR="10.2.2.2").status_code == 200
    invitee.refresh_from_db()
    assert invitee.rsvp == "yes"


def test_guessing_rsvp_tokens_is_limited():
    url = reverse("convenings:rsvp_link", args=["not-a-token"])
    statuses = hammer(url, rate_of("convenings:rsvp_link") + 5)
    assert statuses.count(400) == rate_of("convenings:rsvp_link") and statuses[-1] == 429


def test_introduction_answer_links_are_limited():
    url = reverse("matchmaking:introduction_answer", args=["guess"])
    allowed = rate_of("matchmaking:introduction_answer")
    statuses = hammer(url, allowed + 1)
    assert 429 not in statuses[:allowed]
    assert statuses[-1] == 429
    assert_429_page(Client().get(url, REMOTE_ADDR="10.1.1.1"))


def test_calendar_feeds_are_limited(partner_a_user):
    as_member = Client()
    as_member.force_login(partner_a_user)
    page = as_member.get(reverse("convenings:my_calendar")).content.decode()
    feed_path = page[page.index("/calendar/") : page.index(".ics") + 4]
    allowed = rate_of("convenings:feed")
    statuses = hammer(feed_path, allowed)
    assert set(statuses) == {200}
    assert_429_page(Client().get(feed_path, REMOTE_ADDR="10.1.1.1"))


def test_opt_out_links_are_limited():
    url = reverse("outbox:opt_out", args=["guess"])
    statuses = hammer(url, rate_of("outbox:opt_out") + 1)
    assert statuses[-1] == 429 and 429 not in statuses[:-1]


# A password reset view by its URL name, as the accounts app will name it: the limit applies
# to whatever view carries the name.
def reset_view(request):
    return HttpResponse("If an account has this address, we sent it a link.")


def limited_intake(request):
    return HttpResponse("Thank you")


urlpatterns = [
    path("accounts/password_reset/", reset_view, name="password_reset"),
    path(
        "intake/",
        limit(group="intake", rate="3/h", method="POST")(limited_intake),
        name="intake",
    ),
    path("", include("vcc.urls")),
]


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_password_reset_is_limited_per_address(test_urls):
    allowed = rate_of("password_reset")
    statuses = [
        Client()
        .post("/accounts/password_reset/", {"email": f"p{i}@example.org"}, REMOTE_ADDR="10.3.3.3")
        .status_code
        for i in range(allowed + 1)
    ]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429
    # Reading the form is not counted.
    assert Client().get("/accounts/password_reset/", REMOTE_ADDR="10.3.3.3").status_code == 200


def test_password_reset_is_limited_per_email_from_any_address(test_urls):
    allowed = rate_of("password_reset", key="vcc.ratelimits.posted_email")
    # The same address however it is written, each time from another address.
    spellings = ["cora@example.org", "Cora@Example.org ", "CORA@example.org"]
    emails = [spellings[i % 3] for i in range(allowed + 1)]
    statuses = [
        Client()
        .post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=f"10.4.0.{i}")
        .status_code
        for i, email in enumerate(emails)
    ]
    assert statuses[:allowed] == [200] * allowed
    assert_429_page(
        Client().post(
            "/accounts/password_reset/", {"email": "cora@example.org"}, REMOTE_ADDR="10.4.1.1"
        )
    )
    other = Client().post("/accounts/password_reset/", {"email": "bob@example.org"})
    assert other.status_code == 200


def test_the_limit_decorator(test_urls):
    assert hammer("/intake/", 3, method="post") == [200, 200, 200]
    assert_429_page(Client().post("/intake/", REMOTE_ADDR="10.1.1.1"))
    assert Client().get("/intake/", REMOTE_ADDR="10.1.1.1").status_code == 200  # POST only
    assert Client().post("/intake/", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_behind_the_proxy_each_client_has_its_own_count(settings):
    settings.VCC_BEHIND_PROXY = True
    url = reverse("outbox:opt_out", args=["guess"])
    client = Client()
    for _ in range(rate_of("outbox:opt_out")):
        client.get(url, REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    limited = client.get(url, REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert limited.status_code == 429
    other = client.get(url, REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code != 429
    # A forged first hop does not buy a new count: the proxy's own (last) hop is the address.
    forged = client.get(url, REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert forged.status_code == 429


@pytest.mark.services
def test_limits_hold_across_processes_on_redis(settings):
    """With REDIS_URL the counters are in Redis, shared by every gunicorn worker: a second
    cache connection (another process's) sees the first one's count."""
    redis_url = os.environ.get("REDIS_URL", "")
    require(redis_url.startswith("redis"), "Redis (REDIS_URL)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    url = reverse("outbox:opt_out", args=["guess"])
    allowed = rate_of("outbox:opt_out")
    hammer(url, allowed)
    from django.core.cache import caches

    caches.close_all()
    del caches["default"]  # a fresh connection, as another process would have
    assert Client().get(url, REMOTE_ADDR="10.1.1.1").status_code == 429
