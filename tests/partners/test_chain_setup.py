"""Setting up value chains: create, edit, archive; their stages (add, rename, reorder,
remove when empty); the product taxonomy (add under a parent, merge); the first-run empty
state; money in the chain's currency. Each endpoint for each role."""

import pytest
from django.apps import apps
from django.db import models as dj_models
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import ChangeRecord, Need, Offer, Product, Stage, ValueChain
from partners.money import format_money
from tests.conftest import client_for
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    ProductFactory,
    UserFactory,
    ValueChainFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(role_users):
    return role_users


def _stage(chain, position):
    return chain.stages.get(position=position)


# --- permissions -------------------------------------------------------------------------------

# (role, expected status) for chain A's setup endpoints: its coordinator may; another chain's
# coordinator sees no such chain (404); partner members are refused (403); anonymous: sign in.
CHAIN_ROLES = [
    ("anonymous", 302),
    ("partner_a", 403),
    ("partner_b", 403),
    ("other_coordinator", 404),
]


def _chain_urls(chain):
    first = _stage(chain, 1)
    return [
        ("get", reverse("partners:chain_edit", args=[chain.pk]), {}),
        ("post", reverse("partners:chain_edit", args=[chain.pk]), {"name": "X", "currency": "ZAR"}),
        ("post", reverse("partners:chain_archive", args=[chain.pk]), {}),
        ("post", reverse("partners:stage_add", args=[chain.pk]), {"name": "Exporter"}),
        ("post", reverse("partners:stage_rename", args=[chain.pk, first.pk]), {"name": "Z"}),
        ("post", reverse("partners:stage_move", args=[chain.pk, first.pk]), {"direction": "down"}),
        ("post", reverse("partners:stage_remove", args=[chain.pk, first.pk]), {}),
    ]


@pytest.mark.parametrize("role,status", CHAIN_ROLES)
def test_chain_setup_refused_to_others(users, chain_a, role, status):
    client = client_for(users[role])
    before = list(chain_a.stages.values_list("position", "name"))
    for method, url, data in _chain_urls(chain_a):
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (role, url)
    chain_a.refresh_from_db()
    assert chain_a.name == "Saligna Hardwood" and not chain_a.archived
    assert list(chain_a.stages.values_list("position", "name")) == before


@pytest.mark.parametrize(
    "role,status",
    [("anonymous", 302), ("partner_a", 403), ("coordinator", 200), ("other_coordinator", 200)],
)
def test_who_may_open_new_chain_and_products(users, role, status):
    client = client_for(users[role])
    assert client.get(reverse("partners:chain_create")).status_code == status
    assert client.get(reverse("partners:products")).status_code == status


def test_partner_cannot_create_a_chain(users):
    response = client_for(users["partner_a"]).post(
        reverse("partners:chain_create"), {"name": "Mine", "currency": "ZAR", "phase": "scoping"}
    )
    assert response.status_code == 403
    assert not ValueChain.objects.filter(name="Mine").exists()


# --- creating and editing a chain ---------------------------------------------------------------


def test_coordinator_creates_a_chain_and_coordinates_it(as_coordinator, coordinator):
    response = as_coordinator.post(
        reverse("partners:chain_create"),
        {
            "name": "  Cape   Citrus ",
            "market_opportunity": "Export oranges to the EU",
            "region": "Western Cape",
            "phase": "planning",
            "currency": "eur",
        },
    )
    chain = ValueChain.objects.get(name="Cape Citrus")
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:chain_edit", args=[chain.pk])
    assert chain.currency == "EUR" and chain.phase == "planning"
    assert list(chain.coordinators.all()) == [coordinator]
    page = as_coordinator.get(reverse("partners:chains")).content.decode()
    assert "Cape Citrus" in page and "EUR" in page


def test_chain_form_errors_beside_fields(as_coordinator, chain_a):
    response = as_coordinator.post(
        reverse("partners:chain_create"),
        {"name": "saligna hardwood", "currency": "r1", "phase": "scoping"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is already a value chain called saligna hardwood." in page
    assert "Three letters, as in ZAR, USD or EUR." in page
    assert ValueChain.objects.count() == 1


def test_edit_chain(as_coordinator, chain_a):
    url = reverse("partners:chain_edit", args=[chain_a.pk])
    page = as_coordinator.get(url).content.decode()
    assert "Stages, in order" in page and 'value="Sawmill"' in page
    response = as_coordinator.post(
        url, {"name": "Saligna Furniture", "phase": "coordination", "currency": "USD"}
    )
    assert response.status_code == 302
    chain_a.refresh_from_db()
    assert (chain_a.name, chain_a.phase, chain_a.currency) == (
        "Saligna Furniture",
        "coordination",
        "USD",
    )


def test_links_from_chain_pages(as_coordinator, chain_a):
    listing = as_coordinator.get(reverse("partners:chains")).content.decode()
    assert reverse("partners:chain_create") in listing
    assert reverse("partners:chain_edit", args=[chain_a.pk]) in listing
    detail = as_coordinator.get(chain_a.get_absolute_url()).content.decode()
    assert reverse("partners:chain_edit", args=[chain_a.pk]) in detail


# --- archive --------------------------------------------------------------------------------


def test_archive_and_restore(as_coordinator, coordinator, chain_a, partner_a):
    url = reverse("partners:chain_archive", args=[chain_a.pk])
    response = as_coordinator.post(url, follow=True)
    chain_a.refresh_from_db()
    assert chain_a.archived
    page = response.content.decode()
    assert "was archived" in page and "Archived chains (1)" in page
    # Its data stays and its page reads; new partners can no longer be put in it.
    assert chain_a.participations.filter(partner=partner_a).exists()
    assert as_coordinator.get(chain_a.get_absolute_url()).status_code == 200
    new_partner = as_coordinator.get(reverse("partners:create")).content.decode()
    assert "Saligna Hardwood" not in new_partner
    as_coordinator.post(url, {"archived": "0"})
    chain_a.refresh_from_db()
    assert not chain_a.archived
    assert "Saligna Hardwood" in as_coordinator.get(reverse("partners:create")).content.decode()


@pytest.mark.parametrize(
    "page",
    ["convenings:create", "imports:index", "matchmaking:introduce", "partners:commitment_create"],
)
def test_an_archived_chain_is_not_offered_for_new_work(
    page, as_coordinator, coordinator, chain_a, chain_b, partner_a
):
    """A new convening, import, introduction or commitment is made in a chain still worked;
    the archived chain's existing records keep their pages."""
    chain_b.coordinators.add(coordinator)
    ParticipationFactory(partner=partner_a, value_chain=chain_b)
    chain_b.archived_at = timezone.now()
    chain_b.save()
    on_partner = page in ("matchmaking:introduce", "partners:commitment_create")
    url = reverse(page, args=[partner_a.pk] if on_partner else [])
    html = as_coordinator.get(url).content.decode()
    assert chain_a.name in html
    assert chain_b.name not in html


# --- stages ---------------------------------------------------------------------------------


def _names(chain):
    return list(chain.stages.order_by("position").values_list("name", flat=True))


def test_add_stage_at_the_end(as_coordinator, chain_a, htmx):
    url = reverse("partners:stage_add", args=[chain_a.pk])
    assert as_coordinator.post(url, {"name": "Exporter"}).status_code == 302
    assert _names(chain_a) == ["Grower", "Sawmill", "Manufacturer", "Exporter"]
    response = as_coordinator.post(url, {"name": "Retailer"}, **htmx)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="stages"') and "<html" not in page
    assert 'value="Retailer"' in page and "Stage Retailer added." in page


def test_stage_name_validation(as_coordinator, chain_a, htmx):
    url = reverse("partners:stage_add", args=[chain_a.pk])
    response = as_coordinator.post(url, {"name": " sawmill "}, **htmx)
    assert "Saligna Hardwood already has a stage called sawmill." in response.content.decode()
    response = as_coordinator.post(url, {"name": "   "})
    assert "This field is required." in response.content.decode()
    assert chain_a.stages.count() == 3


def test_rename_stage(as_coordinator, chain_a, htmx):
    grower = _stage(chain_a, 1)
    url = reverse("partners:stage_rename", args=[chain_a.pk, grower.pk])
    as_coordinator.post(url, {"name": "Timber grower"})
    assert _names(chain_a)[0] == "Timber grower"
    response = as_coordinator.post(url, {"name": "SAWMILL"}, **htmx)
    assert "already has a stage called SAWMILL" in response.content.decode()
    assert _names(chain_a)[0] == "Timber grower"


def test_reorder_stages_without_and_with_htmx(as_coordinator, chain_a, htmx):
    sawmill = _stage(chain_a, 2)
    url = reverse("partners:stage_move", args=[chain_a.pk, sawmill.pk])
    response = as_coordinator.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert _names(chain_a) == ["Sawmill", "Grower", "Manufacturer"]
    as_coordinator.post(url, {"direction": "up"})  # already first: nothing moves
    assert _names(chain_a) == ["Sawmill", "Grower", "Manufacturer"]
    response = as_coordinator.post(url, {"direction": "down"}, **htmx)
    page = response.content.decode()
    assert _names(chain_a) == ["Grower", "Sawmill", "Manufacturer"]
    assert page.index('value="Grower"') < page.index('value="Sawmill"')
    assert list(chain_a.stages.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_remove_stage_only_when_empty(as_coordinator, chain_a, partner_a, htmx):
    sawmill = _stage(chain_a, 2)  # partner A is placed here
    response = as_coordinator.post(
        reverse("partners:stage_remove", args=[chain_a.pk, sawmill.pk]), **htmx
    )
    assert "Sawmill still has 1 partner: move them to another stage first." in (
        response.content.decode()
    )
    assert chain_a.stages.count() == 3
    grower = _stage(chain_a, 1)
    response = as_coordinator.post(
        reverse("partners:stage_remove", args=[chain_a.pk, grower.pk]), follow=True
    )
    assert "Stage Grower removed." in response.content.decode()
    assert list(chain_a.stages.order_by("position").values_list("position", "name")) == [
        (1, "Sawmill"),
        (2, "Manufacturer"),
    ]


def test_stage_of_another_chain_is_404(as_coordinator, chain_a, chain_b):
    farm = _stage(chain_b, 1)
    url = reverse("partners:stage_remove", args=[chain_a.pk, farm.pk])
    assert as_coordinator.post(url).status_code == 404
    assert Stage.objects.filter(pk=farm.pk).exists()


def test_chain_page_query_count(as_coordinator, chain_a, partner_a, django_assert_num_queries):
    for n in range(5):
        ParticipationFactory(value_chain=chain_a).stages.add(_stage(chain_a, n % 3 + 1))
    # session, user, the chain, stages with counts, the stages' partner samples, unstaged
    with django_assert_num_queries(6):
        response = as_coordinator.get(chain_a.get_absolute_url())
    assert response.status_code == 200


def test_chain_setup_page_query_count(as_coordinator, chain_a, django_assert_num_queries):
    # session, user, the chain, the stages with their partner counts
    with django_assert_num_queries(4):
        response = as_coordinator.get(reverse("partners:chain_edit", args=[chain_a.pk]))
    assert response.status_code == 200


# --- first run ------------------------------------------------------------------------------


def test_first_run_leads_to_creating_a_chain(db):
    newcomer = UserFactory(username="new@example.org", coordinator=True)
    client = client_for(newcomer)
    response = client.get(reverse("home"))
    assert response.status_code == 200  # My day, which says where to begin
    page = response.content.decode()
    assert "Create your first value chain" in page
    assert reverse("partners:chain_create") in page


def test_coordinator_with_a_chain_lands_on_my_day(as_coordinator):
    response = as_coordinator.get(reverse("home"))
    assert response.status_code == 200 and "My day" in response.content.decode()


# --- products -------------------------------------------------------------------------------


def test_add_product_under_a_parent(as_coordinator):
    furniture = ProductFactory(name="Furniture", unit="pieces")
    response = as_coordinator.post(
        reverse("partners:products"),
        {"add": "1", "add-name": "Dining sets", "add-parent": furniture.pk},
        follow=True,
    )
    dining = Product.objects.get(name="Dining sets")
    assert dining.parent == furniture and dining.unit == "pieces"
    page = response.content.decode()
    assert "Dining sets was added." in page
    response = as_coordinator.post(
        reverse("partners:products"), {"add": "1", "add-name": "dining SETS"}
    )
    assert "Dining sets is already in the list: pick it." in response.content.decode()
    assert Product.objects.filter(name__iexact="dining sets").count() == 1


def test_partner_adds_a_new_product_from_their_offer_form(as_partner_a, partner_a):
    furniture = ProductFactory(name="Furniture")
    url = reverse("partners:listing_create", args=[partner_a.pk, "offers"])
    assert "Or a new product" in as_partner_a.get(url).content.decode()
    months = list(range(1, 13))
    response = as_partner_a.post(
        url,
        {
            "new_product": "Dining sets",
            "new_product_parent": furniture.pk,
            "volume": "20",
            "period": "year",
            "months": months,
        },
    )
    assert response.status_code == 302
    offer = Offer.objects.get(partner=partner_a)
    assert offer.product.name == "Dining sets" and offer.product.parent == furniture
    # Neither, or a duplicate: told beside the field, nothing saved.
    response = as_partner_a.post(url, {"volume": "5", "period": "year", "months": months})
    assert "Choose a product, or name a new one below." in response.content.decode()
    response = as_partner_a.post(
        url, {"new_product": "FURNITURE", "volume": "5", "period": "year", "months": months}
    )
    assert "Furniture is already in the list: pick it above." in response.content.decode()
    assert Offer.objects.filter(partner=partner_a).count() == 1


def test_coordinator_adds_a_new_product_from_a_need_form(as_coordinator, partner_a):
    url = reverse("partners:listing_create", args=[partner_a.pk, "needs"])
    response = as_coordinator.post(
        url, {"new_product": "Timber", "volume": "3", "period": "year", "months": [1, 2]}
    )
    assert response.status_code == 302
    assert Need.objects.get(partner=partner_a).product.name == "Timber"


def test_merge_products(as_coordinator, coordinator, partner_a, partner_b):
    furniture = ProductFactory(name="Furniture")
    chairs = ProductFactory(name="Chairs", parent=furniture)
    seats = ProductFactory(name="Seats")
    stools = ProductFactory(name="Stools", parent=seats)
    offer = OfferFactory(partner=partner_a, product=seats)
    need = NeedFactory(partner=partner_b, product=seats)
    kept = OfferFactory(partner=partner_a, product=chairs)
    response = as_coordinator.post(
        reverse("partners:products"),
        {"merge": "1", "m-loser": seats.pk, "m-survivor": chairs.pk},
        follow=True,
    )
    assert "Seats was merged into Chairs." in response.content.decode()
    assert not Product.objects.filter(pk=seats.pk).exists()
    (
        offer.refresh_from_db(),
        need.refresh_from_db(),
        stools.refresh_from_db(),
        kept.refresh_from_db(),
    )
    assert offer.product == chairs and need.product == chairs and kept.product == chairs
    assert stools.parent == chairs
    assert ChangeRecord.objects.filter(
        partner=partner_b, summary="Product Seats merged into Chairs"
    ).exists()


def test_merge_validation(as_coordinator):
    furniture = ProductFactory(name="Furniture")
    chairs = ProductFactory(name="Chairs", parent=furniture)
    url = reverse("partners:products")
    page = as_coordinator.post(
        url, {"merge": "1", "m-loser": chairs.pk, "m-survivor": chairs.pk}
    ).content.decode()
    assert "Choose two different products." in page
    page = as_coordinator.post(
        url, {"merge": "1", "m-loser": furniture.pk, "m-survivor": chairs.pk}
    ).content.decode()
    assert "Chairs is under Furniture: merge the other way." in page
    assert Product.objects.count() == 2


def test_partner_cannot_merge_products(as_partner_a):
    a, b = ProductFactory(name="A"), ProductFactory(name="B")
    response = as_partner_a.post(
        reverse("partners:products"), {"merge": "1", "m-loser": a.pk, "m-survivor": b.pk}
    )
    assert response.status_code == 403
    assert Product.objects.count() == 2


def test_merge_moves_every_reference_to_product():
    """Every foreign key and many-to-many field to Product in every installed app is one the
    merge moves: a new one added later is covered, or this test names it."""
    found = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, dj_models.ForeignKey | dj_models.ManyToManyField)
        and field.related_model is Product
    }
    moved = {(f.model._meta.label, f.name) for f in services.product_references()}
    assert found - {("partners.Product", "parent")} == moved
    assert {("partners.Offer", "product"), ("partners.Need", "product")} <= moved


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount,currency,whole,shown",
    [
        ("1800000", "ZAR", False, "R 1,800,000.00"),
        (1800000, "USD", True, "$ 1,800,000"),
        ("1234.5", "EUR", False, "€ 1,234.50"),
        ("-25", "GBP", False, "-£ 25.00"),
        ("5", "XYZ", False, "XYZ 5.00"),
        ("1500000", "JPY", False, "¥ 1,500,000"),
        (None, "ZAR", False, "—"),
        ("12", "", False, "12.00"),
    ],
)
def test_money(amount, currency, whole, shown):
    assert format_money(amount, currency, whole=whole) == shown


def test_money_filter_in_a_template():
    from django.template import Context, Template

    template = Template("{% load vcc %}{{ x|money:c }} / {{ x|money0:c }}")
    assert template.render(Context({"x": 1800000, "c": "ZAR"})) == "R 1,800,000.00 / R 1,800,000"


def test_chain_currency_default():
    assert ValueChainFactory().currency == "ZAR"


def test_products_page_query_count(as_coordinator, partner_a, django_assert_num_queries):
    furniture = ProductFactory(name="Furniture")
    for n in range(6):
        OfferFactory(partner=partner_a, product=ProductFactory(name=f"Set {n}", parent=furniture))
    # session, user; the products, their offers and needs counted; the three product selects
    with django_assert_num_queries(8):
        response = as_coordinator.get(reverse("partners:products"))
    page = response.content.decode()
    assert "Set 5" in page and "1 offer, 0 needs" in page
