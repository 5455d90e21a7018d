"""The partner and people directories: filters, search, keyset paging, sorting, query counts."""

import pytest
from django.urls import reverse

from partners.models import ChainRole, Participation, ParticipationStatus, Partner, PartnerKind
from partners.search import refresh_search_documents
from tests.factories import (
    AffiliationFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("partners:directory")


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].rows]


def add_partners(chain, count, **kwargs):
    partners = []
    for _ in range(count):
        participation = ParticipationFactory(value_chain=chain, **kwargs)
        partners.append(participation.partner)
    refresh_search_documents([p.pk for p in partners], [])
    return partners


def test_directory_lists_only_partners_of_my_chains(as_coordinator, partner_a, partner_b):
    response = as_coordinator.get(URL)
    assert names(response) == ["Amatola Sawmill"]
    assert "Riverbend Farm" not in response.content.decode()


def test_filters_by_chain_role_status_kind_stage_product_region(as_coordinator, chain_a, partner_a):
    buyer = ParticipationFactory(
        value_chain=chain_a,
        chain_role=ChainRole.BUYER,
        status=ParticipationStatus.COMMITTED,
        partner=PartnerFactory(
            name="Eastgate Hospital", kind=PartnerKind.INSTITUTION, region="KZN"
        ),
    ).partner
    OfferFactory(partner=partner_a, product=ProductFactory(name="Saligna boards"))
    grower_stage = chain_a.stages.get(position=1)
    buyer.participations.get().stages.add(grower_stage)

    assert names(as_coordinator.get(URL, {"chain_role": "buyer"})) == ["Eastgate Hospital"]
    assert names(as_coordinator.get(URL, {"status": "committed"})) == ["Eastgate Hospital"]
    assert names(as_coordinator.get(URL, {"kind": "institution"})) == ["Eastgate Hospital"]
    assert names(as_coordinator.get(URL, {"stage": grower_stage.pk})) == ["Eastgate Hospital"]
    assert names(as_coordinator.get(URL, {"region": "kz"})) == ["Eastgate Hospital"]
    product = ProductFactory(name="Saligna boards")
    assert names(as_coordinator.get(URL, {"product": product.pk})) == ["Amatola Sawmill"]
    both = names(as_coordinator.get(URL, {"chain": chain_a.pk}))
    assert both == ["Amatola Sawmill", "Eastgate Hospital"]


def test_invalid_filter_values_are_ignored_not_500(as_coordinator, partner_a):
    response = as_coordinator.get(
        URL, {"chain": "abc", "kind": "spaceship", "q": "amat", "chain_role": "producer"}
    )
    assert response.status_code == 200
    assert names(response) == ["Amatola Sawmill"]


def test_search_by_partial_name_person_product_and_place(as_coordinator, chain_a, partner_a):
    person = PersonFactory(first_name="Sipho", last_name="Dlamini")
    AffiliationFactory(person=person, partner=partner_a)
    OfferFactory(partner=partner_a, product=ProductFactory(name="Kiln-dried boards"))
    add_partners(chain_a, 3)
    refresh_search_documents([partner_a.pk], [person.pk])
    for q in ["amato", "SAWM", "dlamin", "kiln", "eastern cape amatola"]:
        assert "Amatola Sawmill" in names(as_coordinator.get(URL, {"q": q})), q
    assert names(as_coordinator.get(URL, {"q": "zzzz-nothing"})) == []


def test_search_escapes_user_text(as_coordinator, partner_a):
    response = as_coordinator.get(URL, {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_keyset_pages_walk_forward_and_back(as_coordinator, chain_a, settings):
    settings.VCC_PAGE_SIZE = 5
    add_partners(chain_a, 12)
    first = as_coordinator.get(URL)
    second = as_coordinator.get(URL, {"cursor": first.context["page"].next_cursor})
    third = as_coordinator.get(URL, {"cursor": second.context["page"].next_cursor})
    seen = names(first) + names(second) + names(third)
    assert seen == sorted(seen) and len(set(seen)) == 12
    assert third.context["page"].next_cursor is None
    back = as_coordinator.get(URL, {"cursor": second.context["page"].prev_cursor})
    assert names(back) == names(first)


def test_a_chains_partners_page_through_by_name_with_role_and_status(
    as_coordinator, chain_a, settings
):
    settings.VCC_PAGE_SIZE = 4
    engaged = add_partners(
        chain_a, 9, chain_role=ChainRole.PRODUCER, status=ParticipationStatus.ENGAGED
    )
    add_partners(chain_a, 5, chain_role=ChainRole.BUYER, status=ParticipationStatus.ENGAGED)
    add_partners(chain_a, 5, chain_role=ChainRole.PRODUCER, status=ParticipationStatus.PROSPECT)
    query = {"chain": chain_a.pk, "chain_role": "producer", "status": "engaged"}
    seen, cursor = [], None
    for _ in range(3):
        response = as_coordinator.get(URL, {**query, "cursor": cursor} if cursor else query)
        seen += names(response)
        cursor = response.context["page"].next_cursor
    assert seen == sorted(p.name for p in engaged) and cursor is None
    backwards = names(as_coordinator.get(URL, {**query, "sort": "-name"}))
    assert backwards == sorted((p.name for p in engaged), reverse=True)[:4]


def test_a_renamed_partner_moves_in_its_chains_name_order(as_coordinator, chain_a):
    first, second = add_partners(chain_a, 2)
    for name, partner in [("Bravo Mill", first), ("Charlie Farm", second)]:
        partner.name = name
        partner.save()
    assert names(as_coordinator.get(URL, {"chain": chain_a.pk})) == ["Bravo Mill", "Charlie Farm"]
    Partner.objects.filter(pk=second.pk).update(name="Alpha Farm")  # a rename in bulk, too
    assert names(as_coordinator.get(URL, {"chain": chain_a.pk})) == ["Alpha Farm", "Bravo Mill"]


def test_every_participation_carries_its_partners_name(chain_a, chain_b):
    """The database keeps Participation.partner_name (migration 0011's triggers): on create,
    in bulk, on rename, and when a stale copy in memory is saved over it."""
    partner = PartnerFactory(name="Riverside Co-op")
    made = Participation.objects.create(partner=partner, value_chain=chain_a, chain_role="buyer")
    other = PartnerFactory(name="Hilltop Growers")
    Participation.objects.bulk_create(
        [Participation(partner=other, value_chain=chain_b, chain_role="producer")]
    )

    def stored():
        return dict(Participation.objects.values_list("partner__name", "partner_name"))

    assert stored() == {"Riverside Co-op": "Riverside Co-op", "Hilltop Growers": "Hilltop Growers"}
    partner.name = "Riverside Cooperative"
    partner.save()
    made.status = ParticipationStatus.ENGAGED
    made.save()  # holds partner_name "" in memory
    Participation.objects.filter(partner=other).update(partner=partner)
    assert set(Participation.objects.values_list("partner_name", flat=True)) == {
        "Riverside Cooperative"
    }


def test_sort_newest_and_reverse_name(as_coordinator, chain_a):
    add_partners(chain_a, 3)
    by_name = names(as_coordinator.get(URL, {"sort": "-name"}))
    assert by_name == sorted(by_name, reverse=True)
    assert as_coordinator.get(URL, {"sort": "-updated"}).status_code == 200


def test_a_row_shows_the_partners_kind_size_chain_role_status_and_link(as_coordinator, chain_a):
    partner = ParticipationFactory(
        value_chain=chain_a,
        chain_role=ChainRole.BUYER,
        status=ParticipationStatus.COMMITTED,
        partner=PartnerFactory(
            name="Eastgate Hospital", kind=PartnerKind.INSTITUTION, size="large"
        ),
    ).partner
    body = as_coordinator.get(URL, {"chain": chain_a.pk}).content.decode()
    row = body[body.index(f'<a href="/partners/{partner.pk}/">') :].split("</tr>")[0]
    for shown in ["Eastgate Hospital", "Large (250+)", "Institution (school, hospital...)"]:
        assert shown in row
    assert "Saligna Hardwood · Buyer" in row and ">Committed</span>" in row


def test_garbage_cursor_gives_first_page(as_coordinator, partner_a):
    response = as_coordinator.get(URL, {"cursor": "!!not-a-cursor"})
    assert response.status_code == 200
    assert names(response) == ["Amatola Sawmill"]


def test_filter_menus_escape_names_and_keep_the_chosen_one(as_coordinator, partner_a):
    product = ProductFactory(name='Beans & "Peas" <dried>')
    body = as_coordinator.get(URL, {"product": product.pk}).content.decode()
    expected = f'<option value="{product.pk}" selected>Beans &amp; &quot;Peas&quot; &lt;dried&gt;'
    assert expected in body
    assert '<option value="producer">Producer</option>' in body


def test_htmx_request_gets_only_the_results_fragment(as_coordinator, partner_a, htmx):
    response = as_coordinator.get(URL, {"q": "amat"}, **htmx)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Amatola Sawmill" in body and "<html" not in body


def test_empty_directory_says_what_to_do(as_coordinator):
    assert "Add the first organisation" in as_coordinator.get(URL).content.decode()


@pytest.mark.parametrize("count", [10, 50])
def test_directory_query_count_is_constant(
    as_coordinator, chain_a, settings, count, django_assert_max_num_queries
):
    settings.VCC_PAGE_SIZE = 50
    add_partners(chain_a, count)
    # session, user, my chain ids, stages of my chains, products, certifications, the
    # search's typo probe (PostgreSQL), page rows, participations of the rows = 9
    with django_assert_max_num_queries(9):
        response = as_coordinator.get(URL, {"q": "partner", "chain": chain_a.pk})
    assert len(response.context["page"].rows) == count


@pytest.mark.parametrize("count", [10, 50])
def test_people_directory_query_count_is_constant(
    as_coordinator, partner_a, count, django_assert_num_queries
):
    people = [AffiliationFactory(partner=partner_a).person for _ in range(count)]
    refresh_search_documents([], [p.pk for p in people])
    # session, user, my chain ids, my chains (filter menu), page rows, affiliations = 6
    with django_assert_num_queries(6):
        response = as_coordinator.get(reverse("partners:people"))
    assert len(response.context["page"].rows) == count


def test_people_search_finds_by_organisation(as_coordinator, partner_a):
    person = AffiliationFactory(partner=partner_a, person=PersonFactory(first_name="Nomsa")).person
    refresh_search_documents([], [person.pk])
    response = as_coordinator.get(reverse("partners:people"), {"q": "amatola"})
    assert [p.first_name for p in response.context["page"].rows] == ["Nomsa"]
