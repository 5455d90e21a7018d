"""Suggestion pages: what each role sees, acting on a suggestion, query counts at two sizes."""

import datetime

import pytest
from django.urls import reverse

from matchmaking import suggestions
from matchmaking.models import Dismissal, Introduction, MatchSettings, RecomputeRun, Suggestion
from partners import services as partner_services
from partners.models import Offer
from tests.conftest import client_for
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
)


def _supplier(chain, product, name, **offer):
    partner = PartnerFactory(name=name, latitude=36.8, longitude=-119.8, size="small")
    ParticipationFactory(partner=partner, value_chain=chain)
    return OfferFactory(partner=partner, product=product, delivery_radius_km=50, **offer)


@pytest.fixture
def matched(chain_a, chain_b, partner_a, partner_b):
    """Partner A (chain A) needs boards; two suppliers in chain A offer them. Partner B (chain
    B) needs apples from a supplier in chain B."""
    boards, apples = ProductFactory(name="Saligna boards"), ProductFactory(name="Apples")
    need_a = NeedFactory(partner=partner_a, product=boards, volume=100)
    best = _supplier(chain_a, boards, "Eastern Cape Growers", volume=500)
    other = _supplier(chain_a, boards, "Small Grower", volume=20)
    partner_a_offer = OfferFactory(partner=partner_a, product=apples)
    need_b = NeedFactory(partner=partner_b, product=apples)
    _supplier(chain_b, apples, "Orchard Co")
    suggestions.recompute_all()
    return {
        "need_a": need_a,
        "need_b": need_b,
        "best": Suggestion.objects.get(offer=best),
        "other": Suggestion.objects.get(offer=other),
        "partner_a_offer": partner_a_offer,
    }


def _share(chain):
    MatchSettings.objects.update_or_create(value_chain=chain, defaults={"show_to_partners": True})


ROLES = [
    "observer",
    "anonymous",
    "coordinator",
    "other_coordinator",
    "partner_a_user",
    "partner_b_user",
    "lead",
]


def _client(request, role):
    return client_for(None if role == "anonymous" else request.getfixturevalue(role))


# (url name, args from `matched`, method, {role: status when not shared, shared})
MATRIX = [
    (
        "matchmaking:need_suggestions",
        "need_a",
        "get",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 404,
            "partner_a_user": (403, 200),
            "partner_b_user": 404,
            "lead": (403, 200),
            "observer": 200,  # observers read the suggestions of the chain they observe
        },
    ),
    (
        "matchmaking:partner_buyers",
        "partner_a",
        "get",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 404,
            "partner_a_user": (403, 200),
            "partner_b_user": 404,
            "lead": (403, 200),
            "observer": 200,  # observers read the suggestions of the chain they observe
        },
    ),
    (
        "matchmaking:suggestions",
        None,
        "get",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 200,
            "partner_a_user": 403,
            "partner_b_user": 403,
            "lead": 403,
            "observer": 200,
        },
    ),
    (
        "matchmaking:recompute",
        None,
        "post",
        {
            "anonymous": 302,
            "coordinator": 302,
            "other_coordinator": 302,
            "partner_a_user": 403,
            "partner_b_user": 403,
            "lead": 403,
            "observer": 403,
        },
    ),
    (
        "matchmaking:recompute_progress",
        "run",
        "get",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 200,
            "partner_a_user": 403,
            "partner_b_user": 403,
            "lead": 403,
            "observer": 403,
        },
    ),
    (
        "matchmaking:chain_settings",
        "chain_a",
        "get",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 404,
            "partner_a_user": 403,
            "partner_b_user": 403,
            "lead": 403,
            "observer": 403,
        },
    ),
    (
        "matchmaking:accept",
        "best",
        "post",
        {
            "anonymous": 302,
            "coordinator": 200,  # the form asking for each side's contact
            "other_coordinator": 404,
            "partner_a_user": (404, 403),
            "partner_b_user": 404,
            "lead": (404, 403),
            "observer": 404,
        },
    ),
    (
        "matchmaking:dismiss",
        "best",
        "post",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 404,
            "partner_a_user": (404, 403),
            "partner_b_user": 404,
            "lead": (404, 403),
            "observer": 404,
        },
    ),
    (
        "matchmaking:snooze",
        "best",
        "post",
        {
            "anonymous": 302,
            "coordinator": 200,
            "other_coordinator": 404,
            "partner_a_user": (404, 403),
            "partner_b_user": 404,
            "lead": (404, 403),
            "observer": 404,
        },
    ),
]


@pytest.mark.parametrize("shared", [False, True], ids=["not-shared", "shared"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,arg,method,expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(
    request, matched, chain_a, partner_a, role, shared, name, arg, method, expected
):
    if shared:
        _share(chain_a)
    objects = {
        **matched,
        "partner_a": partner_a,
        "chain_a": chain_a,
        "run": RecomputeRun.objects.create(),
    }
    target = objects[arg] if arg else None
    if isinstance(target, Suggestion):  # addressed by its (need, offer) pair
        args = [target.need_id, target.offer_id]
    else:
        args = [target.pk] if target else []
    url = reverse(name, args=args)
    response = getattr(_client(request, role), method)(url)
    status = expected[role]
    if isinstance(status, tuple):
        status = status[1] if shared else status[0]
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize(
    "name",
    [
        "matchmaking:need_suggestions",
        "matchmaking:accept",
        "matchmaking:partner_buyers",
        "matchmaking:chain_settings",
    ],
)
def test_missing_ids_are_404(as_coordinator, name):
    method = "post" if name == "matchmaking:accept" else "get"
    args = [987654, 987655] if name == "matchmaking:accept" else [987654]
    assert getattr(as_coordinator, method)(reverse(name, args=args)).status_code == 404


def test_need_page_explains_the_ranking(as_coordinator, matched):
    response = as_coordinator.get(
        reverse("matchmaking:need_suggestions", args=[matched["need_a"].pk])
    )
    html = response.content.decode()
    assert html.index("Eastern Cape Growers") < html.index("Small Grower")
    assert "Supplies Saligna boards, the product needed" in html
    assert "Can cover 100% of the volume" in html and "Can cover 20% of the volume" in html
    assert "Accept: introduce" in html


def test_partner_sees_only_its_own_suggestions_and_cannot_act(
    request, matched, chain_a, partner_a_user
):
    _share(chain_a)
    client = client_for(partner_a_user)
    html = client.get(
        reverse("matchmaking:need_suggestions", args=[matched["need_a"].pk])
    ).content.decode()
    assert "Eastern Cape Growers" in html and "Accept: introduce" not in html
    assert "Orchard Co" not in html
    assert (
        client.get(reverse("matchmaking:need_suggestions", args=[matched["need_b"].pk])).status_code
        == 404
    )


def test_accept_makes_the_introduction(as_coordinator, matched, coordinator):
    best = matched["best"]
    url = reverse("matchmaking:accept", args=[best.need_id, best.offer_id])
    response = as_coordinator.post(url, {"confirm": "1"})
    introduction = Introduction.objects.get()
    assert response.url == introduction.get_absolute_url()
    assert (introduction.offer_id, introduction.need_id) == (best.offer_id, best.need_id)
    assert introduction.created_by == coordinator
    board = as_coordinator.get(reverse("matchmaking:board")).content.decode()
    assert "Eastern Cape Growers" in board


def test_dismiss_needs_a_reason_beside_the_field(as_coordinator, matched, htmx):
    url = reverse("matchmaking:dismiss", args=[matched["other"].need_id, matched["other"].offer_id])
    response = as_coordinator.post(url, {"reason": ""}, **htmx)
    assert "Say why, so the next coordinator knows." in response.content.decode()
    assert not Dismissal.objects.exists()
    response = as_coordinator.post(url, {"reason": "Too small for this buyer"}, **htmx)
    html, _, shown = response.content.decode().partition('<div id="messages"')
    assert response.status_code == 200 and "Small Grower" not in html  # the row is gone
    assert "Dismissed Small Grower" in shown  # and the page says so, where messages go
    assert Dismissal.objects.get().reason == "Too small for this buyer"
    suggestions.recompute_all()
    assert not Suggestion.objects.filter(offer=matched["other"].offer).exists()


def test_snooze_refuses_a_past_date(as_coordinator, matched):
    url = reverse("matchmaking:snooze", args=[matched["other"].need_id, matched["other"].offer_id])
    response = as_coordinator.post(url, {"until": "2001-01-01"})
    assert "Choose a day after today." in response.content.decode()
    until = datetime.date.today() + datetime.timedelta(days=7)
    response = as_coordinator.post(url, {"until": until.isoformat()})
    assert response.status_code == 302
    assert Dismissal.objects.get().until == until


def test_weights_preview_and_save(
    as_coordinator, matched, chain_a, htmx, django_capture_on_commit_callbacks
):
    url = reverse("matchmaking:chain_settings", args=[chain_a.pk])
    page = as_coordinator.get(url).content.decode()
    assert "Ranking preview" in page and "Eastern Cape Growers" in page
    data = {
        "weight_product": 0,
        "weight_season": 0,
        "weight_volume": 0,
        "weight_certifications": 0,
        "weight_distance": 0,
        "weight_values": 1,
        "value_small_producers": 1,
        "value_locally_owned": 0,
        "value_diverse_ownership": 0,
        "value_new_entrants": 0,
        "hold_back_days": 30,
        "need": matched["need_a"].pk,
    }
    preview = as_coordinator.post(url, {**data, "preview": "1"}, **htmx).content.decode()
    assert "With these weights" in preview
    bad = as_coordinator.post(url, {**data, "weight_values": 0}).content.decode()
    assert "Give at least one component a weight above 0." in bad
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(url, data)
    assert response.status_code == 302
    settings = MatchSettings.objects.get(value_chain=chain_a)
    assert settings.weight_volume == 0 and settings.hold_back_days == 30
    # Recomputed with volume weightless: both suppliers are small and equally close, so tied.
    best, other = (
        Suggestion.objects.get(offer=s.offer) for s in (matched["best"], matched["other"])
    )
    assert best.score == pytest.approx(other.score)


def test_recompute_on_demand_shows_progress(
    as_coordinator, matched, htmx, django_capture_on_commit_callbacks
):
    Suggestion.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(reverse("matchmaking:recompute"), **htmx)
    assert "Recomputing" in response.content.decode()  # the bar, before the task ran
    run = RecomputeRun.objects.get()
    # Chain A's need only (the coordinator's chain): chain B's stay as they were (none).
    assert run.status == "done" and run.total == 1 and run.suggestions == 2
    assert not Suggestion.objects.exclude(value_chain=run.value_chains.get()).exists()
    html = as_coordinator.get(
        reverse("matchmaking:recompute_progress", args=[run.pk])
    ).content.decode()
    assert "1 need, 2 suggestions kept" in html and "every 1s" not in html


def test_an_offer_change_recomputes_through_the_task(
    matched, partner_a, chain_a, django_capture_on_commit_callbacks
):
    newcomer = _supplier(chain_a, matched["need_a"].product, "Newcomer Mill", volume=0.5)
    assert not Suggestion.objects.filter(offer=newcomer).exists()
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.save_listing(
            newcomer.partner, kind=Offer, values={"volume": 1000}, listing=newcomer, by=None
        )
    assert Suggestion.objects.filter(offer=newcomer, need=matched["need_a"]).exists()


def _grow(chain, product, n):
    for i in range(n):
        _supplier(chain, product, f"Supplier {i}")


@pytest.mark.parametrize("extra", [0, 25])
def test_need_page_queries_are_constant(
    as_coordinator, matched, chain_a, extra, django_assert_num_queries
):
    _grow(chain_a, matched["need_a"].product, extra)
    suggestions.recompute_all()
    url = reverse("matchmaking:need_suggestions", args=[matched["need_a"].pk])
    # session, user, need (+ its required certifications), partner access, chains coordinated,
    # suggestions with offer, product, partners, chain; settings (+ preferred certifications)
    with django_assert_num_queries(8):
        response = as_coordinator.get(url)
    assert response.content.decode().count('class="card suggestion"') == min(2 + extra, 10)


@pytest.mark.parametrize("extra", [0, 25])
def test_buyers_and_overview_queries_are_constant(
    as_coordinator,
    matched,
    chain_a,
    partner_a,
    extra,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    for i in range(extra):
        buyer = PartnerFactory(name=f"Buyer {i}")
        ParticipationFactory(partner=buyer, value_chain=chain_a)
        NeedFactory(partner=buyer, product=matched["partner_a_offer"].product)
    suggestions.recompute_all()
    with django_assert_max_num_queries(10):
        response = as_coordinator.get(reverse("matchmaking:partner_buyers", args=[partner_a.pk]))
    assert response.content.decode().count('class="card suggestion"') == extra
    with django_assert_num_queries(6):
        as_coordinator.get(reverse("matchmaking:suggestions"))


def test_observer_reads_suggestions_without_the_means_to_act(matched, observer):
    client = client_for(observer)
    overview = client.get(reverse("matchmaking:suggestions")).content.decode()
    assert "Eastern Cape Growers" in overview and "Orchard Co" not in overview
    assert reverse("matchmaking:recompute") not in overview
    assert "Weights &amp; rules" not in overview
    need = client.get(
        reverse("matchmaking:need_suggestions", args=[matched["need_a"].pk])
    ).content.decode()
    assert "Eastern Cape Growers" in need and "Accept: introduce" not in need
    best = matched["best"]
    accept = reverse("matchmaking:accept", args=[best.need_id, best.offer_id])
    assert client.post(accept, {"note": "x"}).status_code == 404  # not a pair theirs to act on
    assert client.post(reverse("matchmaking:recompute")).status_code == 403
    assert not Introduction.objects.exists()
