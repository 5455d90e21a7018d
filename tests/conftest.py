"""The personas every test can use (healthchecks' alice, bob and charlie, for vcc):

- coordinator: coordinates chain A, where partner A participates;
- other_coordinator: coordinates chain B, where partner B participates;
- partner_a_user / partner_b_user: partner members of A and B;
- lead: a partner member of A who will lead a working group (convenings issue);
- observer: an observer of chain A (a funder): reads its pages, changes nothing;
- anonymous: the test client signed in as nobody.
"""

import os
import shutil

import pytest
from django.core.cache import caches
from django.test import Client

from partners.search import refresh_search_documents
from vcc.celery import app as celery_app

from .factories import (
    AffiliationFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    UserFactory,
    ValueChainFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Skip locally when a service is missing; in CI a missing service fails the test."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tasks run in the test's own thread; tests/test_celery_worker.py uses a real worker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The personas sign in with force_login; tests/accounts turn the requirement on.
    settings.VCC_REQUIRE_2FA_FOR_STAFF = False
    # Rate-limit counters start at nothing in each test, in this process's memory (the Redis
    # cache is tested on its own in tests/test_ratelimits.py).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    caches["default"].clear()


@pytest.fixture
def chain_a(db):
    return ValueChainFactory(name="Saligna Hardwood", stages=["Grower", "Sawmill", "Manufacturer"])


@pytest.fixture
def chain_b(db):
    return ValueChainFactory(name="Valley Fresh Food", stages=["Farm", "Packer", "Buyer"])


@pytest.fixture
def partner_a(chain_a):
    participation = ParticipationFactory(
        partner=PartnerFactory(name="Amatola Sawmill", region="Eastern Cape"),
        value_chain=chain_a,
    )
    participation.stages.add(chain_a.stages.get(position=2))
    refresh_search_documents([participation.partner_id], [])
    return participation.partner


@pytest.fixture
def partner_b(chain_b):
    participation = ParticipationFactory(
        partner=PartnerFactory(name="Riverbend Farm", region="Fresno"), value_chain=chain_b
    )
    return participation.partner


def _member(partner, username):
    user = UserFactory(username=username)
    person = PersonFactory(first_name=username.split("@")[0].title(), email=username, user=user)
    AffiliationFactory(person=person, partner=partner)
    return user


@pytest.fixture
def coordinator(chain_a):
    user = UserFactory(username="coordinator@example.org", coordinator=True, first_name="Cora")
    chain_a.coordinators.add(user)
    return user


@pytest.fixture
def other_coordinator(chain_b):
    user = UserFactory(username="other@example.org", coordinator=True)
    chain_b.coordinators.add(user)
    return user


@pytest.fixture
def observer(chain_a):
    user = UserFactory(username="observer@funder.example", first_name="Olu")
    chain_a.observers.add(user)
    return user


@pytest.fixture
def partner_a_user(partner_a):
    return _member(partner_a, "alice@amatola.example")


@pytest.fixture
def partner_b_user(partner_b):
    return _member(partner_b, "bob@riverbend.example")


@pytest.fixture
def lead(partner_a):
    return _member(partner_a, "lead@amatola.example")


@pytest.fixture
def role_users(partner_a_user, partner_b_user, coordinator, other_coordinator, lead, observer):
    """The users of the permission matrices, by role (anonymous is None)."""
    return {
        "anonymous": None,
        "partner_a": partner_a_user,
        "partner_b": partner_b_user,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "lead": lead,
        "observer": observer,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_coordinator(coordinator):
    return client_for(coordinator)


@pytest.fixture
def as_partner_a(partner_a_user):
    return client_for(partner_a_user)


@pytest.fixture
def htmx():
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    require(shutil.which(path) is not None or os.path.exists(path), "Chromium")
    return path
