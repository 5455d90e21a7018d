"""No query string makes a page fail: an id beyond 64 bits, a negative or malformed one, a
NUL byte, an unknown sort or tab is ignored (no filter), a form error, or a 404, never a 5xx.

Every URL of the URLconf that takes no argument is visited by each persona; the parameters
sent are the ones the view reads (recorded from request.GET while the pages render), plus the
usual names of the filters, each with every bad value in turn."""

from __future__ import annotations

import base64
import datetime
import json
import re

import django.core.handlers.wsgi
import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from convenings.models import Convening, WorkingGroup
from tests.conftest import client_for
from tests.factories import UserFactory

BAD_VALUES = [
    "99999999999999999999",  # beyond 64 bits
    "9223372036854775808",  # 2**63: one past the largest bigint
    "-1",
    "abc",
    "1.5",
    "\x00",  # sent as %00
    "",
]


def _cursor(values: list) -> str:
    raw = json.dumps(["n", values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Cursors that decode, with values no row's sort keys can have, for lists sorted by 1-4 keys.
BAD_CURSORS = [
    _cursor([value] * width)
    for width in (1, 2, 3, 4)
    for value in ("abc", 2**70, -1, None, [1], {"a": 1}, "2026-13-45", "\x00", 1.5)
]
# What the filters of vcc's lists are called: sent to every page, read or not.
USUAL_PARAMS = [
    "chain",
    "product",
    "certification",
    "stage",
    "status",
    "cursor",
    "page",
    "after",
    "sort",
    "q",
    "tab",
    "kind",
    "partner",
    "person",
    "group",
    "need",
    "when",
    "state",
    "start",
    "end",
]
# GET-only pages of the admin are Django's, not vcc's.
SKIP_PREFIXES = ("admin/",)


def routes() -> list[str]:
    """Every route of the URLconf, e.g. "partners/<id:pk>/" (the admin's left out)."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted({r for r in found if not r.startswith(SKIP_PREFIXES)})


def page_urls(ids: dict[str, int]) -> list[str]:
    """Every URL without an argument, and every one whose only argument is the `pk` of a row
    the fixtures made (`ids`: by the route's first part, e.g. "partners")."""
    urls = []
    for route in routes():
        if "<" not in route:
            urls.append("/" + route)
            continue
        head, _, rest = route.partition("/")
        if rest.count("<") == 1 and re.search(r"<\w+:pk>", rest) and head in ids:
            urls.append("/" + head + "/" + re.sub(r"<\w+:pk>", str(ids[head]), rest))
    return urls


class RecordingQueryDict(QueryDict):
    """request.GET that notes every key a view, form or template asks it for."""

    read: set[str] = set()

    def __getitem__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        if not self._mutable:  # (parsing the query string asks too, before it is frozen)
            RecordingQueryDict.read.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording(monkeypatch):
    RecordingQueryDict.read = set()
    # WSGIRequest.GET is built from this name; POST and the rest are not.
    monkeypatch.setattr(django.core.handlers.wsgi, "QueryDict", RecordingQueryDict)
    return RecordingQueryDict


@pytest.fixture
def pages_with_rows(coordinator, partner_a, partner_b, partner_a_user, lead, chain_a):
    """Something on each list, so that the rows' code runs too."""
    start = timezone.now() + datetime.timedelta(days=3)
    convening = Convening.objects.create(
        value_chain=chain_a,
        title="Kiln workshop",
        kind="workshop",
        place="Amatola Sawmill",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=coordinator,
    )
    group = WorkingGroup.objects.create(value_chain=chain_a, name="Grading", problem="Sizes")
    group.members.add(partner_a_user.person, lead.person)
    group.lead = lead.person
    group.save()
    return {
        "partners": partner_a.pk,
        "people": partner_a_user.person.pk,
        "chains": chain_a.pk,
        "convenings": convening.pk,
        "groups": group.pk,
    }


def _fetch(client: Client, url: str, params: dict, **headers) -> tuple[int, str]:
    """(status, error) of a GET; a raised exception or a streamed body that fails is a 500."""
    try:
        response = client.get(url, params, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
    except Exception as error:  # noqa: BLE001 (what failed is the finding)
        return 500, f"{type(error).__name__}: {error}"
    return response.status_code, ""


@pytest.mark.django_db
def test_no_query_string_gives_a_server_error(
    recording, pages_with_rows, coordinator, partner_a_user, lead
):
    superuser = UserFactory(username="root@example.org", coordinator=True, is_superuser=True)
    personas = {
        "anonymous": None,
        "partner": partner_a_user,
        "lead": lead,
        "coordinator": coordinator,
        "superuser": superuser,
    }
    urls = page_urls(pages_with_rows)
    failures: list[str] = []
    probed: dict[tuple[str, str], set[str]] = {}
    for who, user in personas.items():
        client = client_for(user)
        for url in urls:
            recording.read = set()
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                status, error = _fetch(client, url, {}, **headers)
                if status >= 500:
                    failures.append(f"{who} GET {url}: {status} {error}")
            # Every usual name at once, then each parameter the view read on its own (one
            # may be read only when another is given: on until none is new).
            for value in BAD_VALUES:
                params = dict.fromkeys(USUAL_PARAMS, value)
                status, error = _fetch(client, url, params)
                if status >= 500:
                    failures.append(f"{who} GET {url} (all, {value!r}): {status} {error}")
            done: set[str] = set()
            while todo := recording.read - done:
                for param in sorted(todo):
                    done.add(param)
                    for value in BAD_VALUES + (BAD_CURSORS if param == "cursor" else []):
                        status, error = _fetch(client, url, {param: value})
                        if status >= 500:
                            failures.append(f"{who} GET {url}?{param}={value!r}: {status} {error}")
            probed[(who, url)] = done
    assert failures == []
    # The reported cases were sent (the recording works, and the lists are in the set).
    assert {"chain", "product", "certification"} <= probed[("coordinator", "/partners/")]
    assert "chain" in probed[("coordinator", "/people/")]
    assert "chain" in probed[("partner", "/convenings/")]
    assert "tab" in probed[("partner", f"/partners/{pages_with_rows['partners']}/")]
    assert "/partners/export.csv" in urls


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/partners/?chain=99999999999999999999",
        "/partners/?product=99999999999999999999",
        "/partners/?certification=-1",
        "/people/?chain=99999999999999999999",
        "/convenings/?chain=99999999999999999999",
        "/introductions/?chain=99999999999999999999&stage=-1",
    ],
)
def test_an_id_out_of_range_is_no_filter(as_coordinator, partner_a, url):
    """The list answers as if the filter were not given: partner A's rows are there."""
    unfiltered = as_coordinator.get(url.split("?")[0])
    response = as_coordinator.get(url)
    assert response.status_code == 200
    assert response.content.count(b"Amatola Sawmill") == unfiltered.content.count(
        b"Amatola Sawmill"
    )


@pytest.mark.django_db
def test_every_id_in_a_path_beyond_the_database_is_a_404(as_coordinator):
    """A path's id is matched by the <id:...> converter everywhere: 20 digits never reach the
    database as an integer it cannot hold."""
    from django.urls import URLPattern, get_resolver

    def patterns(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)
            else:
                yield from patterns(entry, prefix + str(entry.pattern))

    # (The admin's are Django's and its plugins', e.g. django-otp's device QR code page.)
    with_int = [
        p for p in patterns(get_resolver()) if "<int:" in p and not p.startswith(SKIP_PREFIXES)
    ]
    assert not with_int, f"use <id:...> in {with_int}"
    assert as_coordinator.get("/convenings/99999999999999999999/").status_code == 404
