"""Issue 15, item 9: the directory's CSV exports go back in through the import, and nothing
the import reads is lost on the way (field by field)."""

import datetime

import pytest
from django.urls import reverse

from imports import services
from imports.models import ImportState
from partners.models import Affiliation, Certification, Participation, Partner, Person
from partners.search import refresh_search_documents
from tests.factories import (
    AffiliationFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    ValueChainFactory,
)

pytestmark = pytest.mark.django_db

PARTNER_FIELDS = ["name", "kind", "region", "address", "website", "description", "size"]
PARTNER_FIELDS += ["locally_owned", "women_owned", "minority_owned", "worker_owned"]
CHAIN_FIELDS = ["chain_role", "network_role", "status", "status_changed_on"]
PERSON_FIELDS = ["first_name", "last_name", "email", "phone"]


@pytest.fixture(autouse=True)
def _run_queued_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """The services queue the check and the import after commit: run them at once here."""
    for name in ("request_check", "request_import"):
        original = getattr(services, name)

        def run_now(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, run_now)


def _partners(chain):
    rows = {}
    for part in Participation.objects.filter(value_chain=chain).select_related("partner"):
        p = part.partner
        rows[p.name] = {f: getattr(p, f) for f in PARTNER_FIELDS} | {
            f: getattr(part, f) for f in CHAIN_FIELDS
        }
        rows[p.name]["certifications"] = sorted(c.name for c in p.certifications.all())
        rows[p.name]["stages"] = sorted(s.name for s in part.stages.all())
    return rows


def _people(chain):
    affiliations = Affiliation.objects.filter(
        partner__participations__value_chain=chain
    ).select_related("person", "partner")
    return sorted(
        (*(getattr(a.person, f) for f in PERSON_FIELDS), a.partner.name, a.title)
        for a in affiliations
    )


def _import(user, chain, kind, data):
    job = services.start_import(user, chain, kind, f"{kind}.csv", data)
    job = services.request_check(job, job.mapping, "skip")
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED and job.rows_with_errors == 0, job.errors
    assert job.rows_duplicate == 0
    job = services.request_import(job, {})
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTED, job.failure
    return job


def test_partners_and_people_export_and_import_back_unchanged(
    as_coordinator, coordinator, chain_a, partner_a
):
    partner_a.kind, partner_a.size = "cooperative", "small"
    partner_a.address, partner_a.website = "1 Mill Road, Stutterheim", "https://amatola.example"
    partner_a.description = "Kiln-dried Saligna boards, graded."
    partner_a.locally_owned = partner_a.worker_owned = True
    partner_a.save()
    partner_a.certifications.add(
        Certification.objects.create(name="FSC"), Certification.objects.create(name="Organic")
    )
    part = ParticipationFactory(
        value_chain=chain_a,
        partner=PartnerFactory(name="Coastal Exporters", region="KwaZulu-Natal"),
        chain_role="buyer",
        network_role="lead_firm",
        status="committed",
        status_changed_on=datetime.date(2026, 3, 15),
    )
    part.stages.add(*chain_a.stages.filter(position__gte=2))
    AffiliationFactory(
        partner=partner_a,
        title="Mill manager",
        person=PersonFactory(first_name="Thandi", last_name="Mokoena", phone="+27 43 555 0101"),
    )
    AffiliationFactory(
        partner=part.partner, title="Buyer", person=PersonFactory(first_name="Sipho", last_name="")
    )
    refresh_search_documents(None, None)
    partners_before, people_before = _partners(chain_a), _people(chain_a)
    assert len(partners_before) == 2 and len(people_before) == 2

    query = {"chain": chain_a.pk}
    partners_csv = b"".join(
        as_coordinator.get(reverse("partners:directory_csv"), query).streaming_content
    )
    people_csv = b"".join(
        as_coordinator.get(reverse("partners:people_csv"), query).streaming_content
    )
    # A new installation: the chain is empty, nobody is in the directory.
    Person.objects.all().delete()
    Partner.objects.all().delete()
    Certification.objects.all().delete()
    # Set up as the first was, with its stages, before the files go in.
    empty = ValueChainFactory(
        name="Saligna Hardwood (restored)", stages=["Grower", "Sawmill", "Manufacturer"]
    )
    empty.coordinators.add(coordinator)

    job = _import(coordinator, empty, "partners", partners_csv)
    assert job.rows_created == 2
    _import(coordinator, empty, "people", people_csv)

    assert _partners(empty) == partners_before
    assert _people(empty) == people_before


def test_a_stage_the_chain_lacks_is_an_error_in_the_dry_run(coordinator, chain_a):
    text = "Name,Stages\nKaroo Honey,Sawmill; Kiln\n"
    job = services.start_import(coordinator, chain_a, "partners", "p.csv", text.encode())
    job = services.request_check(job, job.mapping, "skip")
    job.refresh_from_db()
    assert job.rows_with_errors == 1
    assert job.errors[0]["message"] == "Not a stage of Saligna Hardwood: Kiln."
    assert not Partner.objects.filter(name="Karoo Honey").exists()
