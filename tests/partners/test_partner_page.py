"""The partner page, its forms, and the history of what changed."""

import pytest
from django.urls import reverse

from partners.models import (
    ChangeRecord,
    CommitmentStatus,
    Offer,
    ParticipationStatus,
    Partner,
    Person,
)
from tests.factories import (
    AffiliationFactory,
    CommitmentFactory,
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def detail(partner, tab=""):
    url = reverse("partners:detail", args=[partner.pk])
    return f"{url}?tab={tab}" if tab else url


def test_overview_shows_profile_people_chains_commitments(as_coordinator, partner_a, chain_a):
    AffiliationFactory(partner=partner_a, title="Mill manager")
    CommitmentFactory(partner=partner_a, value_chain=chain_a, status=CommitmentStatus.ACTIVE)
    body = as_coordinator.get(detail(partner_a)).content.decode()
    for text in [
        "Amatola Sawmill",
        "Mill manager",
        "Saligna Hardwood",
        "2. Sawmill",
        "Supply 2 t of boards",
        "Active",
    ]:
        assert text in body, text


@pytest.mark.parametrize("count", [2, 20])
def test_partner_page_queries_are_constant(
    as_coordinator, partner_a, chain_a, count, django_assert_num_queries
):
    for _ in range(count):
        AffiliationFactory(partner=partner_a)
        OfferFactory(partner=partner_a)
        NeedFactory(partner=partner_a)
        CommitmentFactory(partner=partner_a, value_chain=chain_a)
    # session, user, partner with the user's rights, certifications, people,
    # participations, their stages, interests, commitments = 9
    with django_assert_num_queries(9):
        as_coordinator.get(detail(partner_a))
    # session, user, partner, offers, offer certifications, needs, need certifications = 7
    with django_assert_num_queries(7):
        response = as_coordinator.get(detail(partner_a, "offers"))
    assert len(response.context["offers"]) == count
    # session, user, partner, history page = 4
    with django_assert_num_queries(4):
        as_coordinator.get(detail(partner_a, "history"))


def test_tab_fragment_for_htmx(as_coordinator, partner_a, htmx):
    body = as_coordinator.get(detail(partner_a, "offers"), **htmx).content.decode()
    assert body.lstrip().startswith('<section id="tab"') and "No offers yet" in body


def test_create_partner_with_participation(as_coordinator, chain_a):
    stage = chain_a.stages.get(position=1)
    response = as_coordinator.post(
        reverse("partners:create"),
        {
            "name": "  Umzimkulu   Growers ",
            "kind": "cooperative",
            "region": "KwaZulu-Natal",
            "p-value_chain": chain_a.pk,
            "p-stages": [stage.pk],
            "p-chain_role": "producer",
            "p-network_role": "member",
            "p-status": "engaged",
        },
    )
    partner = Partner.objects.get(name="Umzimkulu Growers")
    assert response.status_code == 302 and response["Location"] == partner.get_absolute_url()
    participation = partner.participations.get()
    assert list(participation.stages.all()) == [stage]
    assert partner.changes.get().summary == "Created Umzimkulu Growers in Saligna Hardwood"
    assert "umzimkulu growers" in partner.search_document


def test_create_partner_errors_beside_fields_and_nothing_saved(as_coordinator, chain_a, chain_b):
    response = as_coordinator.post(
        reverse("partners:create"),
        {
            "name": "",
            "kind": "business",
            "latitude": "95",
            "longitude": "",
            "website": "not a url",
            "p-value_chain": chain_b.pk,  # a chain this coordinator does not coordinate
            "p-chain_role": "producer",
            "p-network_role": "member",
            "p-status": "engaged",
        },
    )
    assert response.status_code == 200
    form, participation_form = response.context["form"], response.context["participation_form"]
    assert "name" in form.errors and "website" in form.errors
    assert "latitude" in form.errors or "longitude" in form.errors
    assert "value_chain" in participation_form.errors
    body = response.content.decode()
    assert 'id="field-name"' in body and "This field is required." in body
    assert Partner.objects.count() == 0


def test_stage_of_another_chain_is_refused(as_coordinator, chain_a, chain_b, other_coordinator):
    chain_b.coordinators.add(as_coordinator.session["_auth_user_id"])
    response = as_coordinator.post(
        reverse("partners:create"),
        {
            "name": "Mixed",
            "kind": "business",
            "p-value_chain": chain_a.pk,
            "p-stages": [chain_b.stages.first().pk],
            "p-chain_role": "producer",
            "p-network_role": "member",
            "p-status": "engaged",
        },
    )
    assert "stages" in response.context["participation_form"].errors
    assert not Partner.objects.filter(name="Mixed").exists()


def test_edit_profile_records_history(as_partner_a, partner_a, partner_a_user):
    response = as_partner_a.post(
        reverse("partners:edit", args=[partner_a.pk]),
        {"name": "Amatola Sawmill", "kind": "cooperative", "description": "We mill saligna."},
    )
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.kind == "cooperative" and partner_a.description == "We mill saligna."
    change = partner_a.changes.get()
    assert change.user == partner_a_user
    assert change.changes["Kind"] == ["Business", "Cooperative"]
    history = as_partner_a.get(detail(partner_a, "history")).content.decode()
    assert "Profile edited" in history and "Cooperative" in history


def test_add_offer_validates_and_saves(as_partner_a, partner_a):
    product = ProductFactory(name="Saligna boards", unit="m³")
    url = reverse("partners:listing_create", args=[partner_a.pk, "offers"])
    bad = as_partner_a.post(
        url,
        {
            "product": product.pk,
            "volume": "0",
            "period": "year",
            "months": [],
            "price_min": "50",
            "price_max": "10",
            "delivery_radius_km": "-3",
        },
    )
    errors = bad.context["form"].errors
    assert set(errors) >= {"volume", "months", "price_max", "delivery_radius_km"}
    assert "The volume must be more than zero." in bad.content.decode()
    assert not Offer.objects.exists()
    good = as_partner_a.post(
        url, {"product": product.pk, "volume": "12.5", "period": "month", "months": [6, 7, 8]}
    )
    assert good.status_code == 302
    offer = Offer.objects.get()
    assert offer.unit == "m³" and offer.month_list == [6, 7, 8] and offer.season == "Jun, Jul, Aug"
    assert "saligna boards" in Partner.objects.get(pk=partner_a.pk).search_document


def test_htmx_offer_save_returns_the_tab(as_coordinator, partner_a, htmx):
    product = ProductFactory()
    url = reverse("partners:listing_create", args=[partner_a.pk, "offers"])
    form = as_coordinator.get(url, **htmx).content.decode()
    assert form.lstrip().startswith("<form") and "<html" not in form
    invalid = as_coordinator.post(url, {"product": product.pk, "volume": "-1"}, **htmx)
    assert invalid.content.decode().lstrip().startswith("<form")
    # The form was opened in the partner page's listing editor.
    on_page = {**htmx, "HTTP_HX_CURRENT_URL": f"http://testserver{partner_a.get_absolute_url()}"}
    saved = as_coordinator.post(
        url, {"product": product.pk, "volume": "3", "period": "year", "months": [1]}, **on_page
    )
    assert saved["HX-Retarget"] == "#tab" and saved["HX-Reswap"] == "outerHTML"
    assert product.name in saved.content.decode()
    # Its message is shown now, in the page's message area, and not again on the next page.
    assert '<div id="messages" hx-swap-oob="true">' in saved.content.decode()
    assert "Offer saved." in saved.content.decode()
    next_page = as_coordinator.get(reverse("partners:directory")).content.decode()
    assert "Offer saved." not in next_page and '<div id="messages">' in next_page


def test_edit_and_delete_need(as_partner_a, partner_a, htmx):
    need = NeedFactory(partner=partner_a, volume=10)
    edit = reverse("partners:listing_edit", args=[partner_a.pk, "needs", need.pk])
    as_partner_a.post(
        edit,
        {
            "product": need.product.pk,
            "volume": "25",
            "period": "year",
            "months": [1, 2],
            "max_distance_km": "80",
        },
    )
    need.refresh_from_db()
    assert need.volume == 25 and need.max_distance_km == 80
    delete = reverse("partners:listing_delete", args=[partner_a.pk, "needs", need.pk])
    response = as_partner_a.post(delete, **htmx)
    assert response.status_code == 200 and not partner_a.needs.exists()
    assert partner_a.changes.filter(summary__startswith="Removed need").exists()


def test_participation_status_change_dates_it(as_coordinator, partner_a):
    participation = partner_a.participations.get()
    url = reverse("partners:participation_edit", args=[partner_a.pk, participation.pk])
    response = as_coordinator.post(
        url,
        {
            "stages": [],
            "chain_role": "processor",
            "network_role": "lead_firm",
            "status": "committed",
        },
    )
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.COMMITTED
    assert participation.network_role == "lead_firm"


def test_commitment_toward_itself_refused(as_coordinator, partner_a, chain_a):
    url = reverse("partners:commitment_create", args=[partner_a.pk])
    response = as_coordinator.post(
        url,
        {
            "value_chain": chain_a.pk,
            "description": "Deliver",
            "toward": partner_a.pk,
            "status": "proposed",
        },
    )
    assert "toward" in response.context["form"].errors
    assert not partner_a.commitments.exists()


def test_add_person_and_duplicate_email_refused(as_coordinator, partner_a):
    url = reverse("partners:person_create", args=[partner_a.pk])
    data = {
        "first_name": "Lindiwe",
        "last_name": "Khumalo",
        "email": "Lindiwe@Mill.example",
        "title": "Buyer",
    }
    assert as_coordinator.post(url, data).status_code == 302
    person = Person.objects.get(email="lindiwe@mill.example")
    assert person.affiliations.get().title == "Buyer"
    again = as_coordinator.post(url, data)
    assert "email" in again.context["form"].errors
    assert Person.objects.filter(first_name="Lindiwe").count() == 1


def test_interest_recorded(as_coordinator, partner_a, chain_a):
    url = reverse("partners:interest_create", args=[partner_a.pk])
    as_coordinator.post(
        url,
        {
            "value_chain": chain_a.pk,
            "kind": "shared",
            "description": "Steady supply of graded logs",
        },
    )
    assert partner_a.interests.get().kind == "shared"


def test_value_chain_page_flags_gaps(as_coordinator, chain_a, partner_a):
    response = as_coordinator.get(reverse("partners:chain", args=[chain_a.pk]))
    stages = {s["stage"].name: s["gap"] for s in response.context["stages"]}
    assert stages == {"Grower": "none", "Sawmill": "few", "Manufacturer": "none"}
    body = response.content.decode()
    assert "Gap: no partner at this stage." in body and "Thin: only 1 partner here." in body


@pytest.mark.parametrize("count", [2, 30])
def test_chain_page_queries_constant(
    as_coordinator, chain_a, count, django_assert_num_queries, settings
):
    grower = chain_a.stages.get(position=1)
    for _ in range(count):
        ParticipationFactory(value_chain=chain_a).stages.add(grower)
    # session, user, chain, stages, partners per stage, the first partners of every stage,
    # unplaced partners = 7
    with django_assert_num_queries(6):
        response = as_coordinator.get(reverse("partners:chain", args=[chain_a.pk]))
    first = response.context["stages"][0]
    assert first["count"] == count and len(first["participations"]) == min(count, 12)
    assert first["more"] == max(0, count - 12)
    if count > 12:
        assert f"and {count - 12} more in the directory" in response.content.decode()


def test_my_organisation_redirects_to_own_partner(as_partner_a, partner_a):
    response = as_partner_a.get(reverse("partners:my_organisation"))
    assert response["Location"] == partner_a.get_absolute_url()
    page = as_partner_a.get(response["Location"]).content.decode()
    assert "Edit profile" in page and "Invite to sign in" not in page


def test_home_sends_each_role_to_its_start(as_coordinator, as_partner_a, client):
    assert "My day" in as_coordinator.get("/").content.decode()  # followups' home page
    assert as_partner_a.get("/")["Location"] == reverse("partners:my_organisation")
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_history_is_newest_first(as_coordinator, partner_a, coordinator):
    for i in range(3):
        ChangeRecord.objects.create(partner=partner_a, user=coordinator, summary=f"change {i}")
    rows = as_coordinator.get(detail(partner_a, "history")).context["history"].rows
    assert [r.summary for r in rows] == ["change 2", "change 1", "change 0"]


def test_history_and_timeline_without_a_user(as_coordinator, partner_a):
    """Rows whose user was deleted (or written by the system) still render."""
    from partners.models import Interaction, InteractionPartner

    ChangeRecord.objects.create(partner=partner_a, user=None, summary="Imported")
    interaction = Interaction.objects.create(kind="call", topic="Old call", logged_by=None)
    InteractionPartner.objects.create(
        interaction=interaction, partner=partner_a, occurred_on=interaction.occurred_on
    )
    history = as_coordinator.get(detail(partner_a, "history")).content.decode()
    assert "Imported" in history and "· vcc ·" in history
    timeline = as_coordinator.get(detail(partner_a, "timeline")).content.decode()
    assert "Old call" in timeline and "logged by —" in timeline
