"""Every URL of outcomes and imports × every role. 302: sent to sign in; 404: not theirs to see;
403: a page they may not use. Partners report outcomes for their own organisation only; the
dashboard and imports are the coordinators', for the chains they coordinate; an observer of
chain A reads its dashboard and report, and reports, edits and imports nothing (403)."""

import datetime

import pytest
from django.urls import reverse

from imports import services as import_services
from outcomes.models import OutcomeReport
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

# (url name, method): expected status per role, in ROLES order.
EXPECTED = {
    # An observer of chain A reads A's outcome reports, and changes none.
    ("outcomes_a", "get"): [302, 200, 404, 200, 404, 200, 200],
    ("outcomes_a", "post"): [302, 400, 404, 400, 404, 400, 403],
    ("outcomes_b", "get"): [302, 404, 200, 404, 200, 404, 404],
    ("edit_report_a", "get"): [302, 200, 404, 200, 404, 200, 403],
    ("edit_report_a", "post"): [302, 400, 404, 400, 404, 400, 403],
    ("delete_report_a", "get"): [302, 200, 404, 200, 404, 200, 403],
    ("delete_report_a", "post"): [302, 302, 404, 302, 404, 302, 403],
    ("edit_report_b", "get"): [302, 404, 200, 404, 200, 404, 404],
    ("delete_report_b", "post"): [302, 404, 302, 404, 302, 404, 404],
    # B's report under A's address: nobody reaches another partner's report that way.
    ("edit_report_b_as_a", "get"): [302, 404, 404, 404, 404, 404, 403],
    ("delete_report_b_as_a", "post"): [302, 404, 404, 404, 404, 404, 403],
    ("edit_report_missing", "get"): [302, 404, 404, 404, 404, 404, 403],
    ("dashboard", "get"): [302, 403, 403, 200, 200, 403, 200],
    ("report", "get"): [302, 403, 403, 200, 200, 403, 200],
    ("figure_csv", "get"): [302, 403, 403, 200, 200, 403, 200],
    ("figure_missing", "get"): [302, 403, 403, 404, 404, 403, 404],
    ("imports", "get"): [302, 403, 403, 200, 200, 403, 403],
    ("imports", "post"): [302, 403, 403, 400, 400, 403, 403],
    ("import_job", "get"): [302, 403, 403, 200, 404, 403, 403],
    ("import_job", "post"): [302, 403, 403, 400, 404, 403, 403],
    ("import_file", "post"): [302, 403, 403, 400, 404, 403, 403],
    ("import_commit", "post"): [302, 403, 403, 302, 404, 403, 403],
    ("import_undo", "post"): [302, 403, 403, 302, 404, 403, 403],
    ("import_missing", "get"): [302, 403, 403, 404, 404, 403, 403],
}


def report_for(partner, chain) -> OutcomeReport:
    return OutcomeReport.objects.create(
        partner=partner,
        value_chain=chain,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        jobs_created=2,
    )


@pytest.fixture
def world(chain_a, chain_b, partner_a, partner_b, coordinator, role_users):
    job = import_services.start_import(
        coordinator, chain_a, "partners", "list.csv", b"Name\nNew Farm\n"
    )
    report_a = report_for(partner_a, chain_a)
    report_b = report_for(partner_b, chain_b)
    urls = {
        "edit_report_a": reverse("outcomes:edit_report", args=[partner_a.pk, report_a.pk]),
        "delete_report_a": reverse("outcomes:delete_report", args=[partner_a.pk, report_a.pk]),
        "edit_report_b": reverse("outcomes:edit_report", args=[partner_b.pk, report_b.pk]),
        "delete_report_b": reverse("outcomes:delete_report", args=[partner_b.pk, report_b.pk]),
        "edit_report_b_as_a": reverse("outcomes:edit_report", args=[partner_a.pk, report_b.pk]),
        "delete_report_b_as_a": reverse("outcomes:delete_report", args=[partner_a.pk, report_b.pk]),
        "edit_report_missing": reverse(
            "outcomes:edit_report", args=[partner_a.pk, report_b.pk + 1000]
        ),
        "outcomes_a": reverse("outcomes:partner", args=[partner_a.pk]),
        "outcomes_b": reverse("outcomes:partner", args=[partner_b.pk]),
        "dashboard": reverse("outcomes:dashboard"),
        "report": reverse("outcomes:report"),
        "figure_csv": reverse("outcomes:figure_csv", args=["funnel"]),
        "figure_missing": reverse("outcomes:figure_csv", args=["nope"]),
        "imports": reverse("imports:index"),
        "import_job": reverse("imports:job", args=[job.pk]),
        "import_file": reverse("imports:replace_file", args=[job.pk]),
        "import_commit": reverse("imports:commit", args=[job.pk]),
        "import_undo": reverse("imports:undo", args=[job.pk]),
        "import_missing": reverse("imports:job", args=[job.pk + 1000]),
    }
    return urls, role_users


CASES = [
    (name, method, role, status)
    for (name, method), statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize("name,method,role,expected", CASES)
def test_matrix(world, name, method, role, expected):
    urls, users = world
    client = client_for(users[role])
    # Posts carry nothing valid: what matters is who gets past the door.
    response = getattr(client, method)(urls[name], {} if method == "post" else None)
    assert response.status_code == expected, (name, method, role)
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_observer_reads_outcome_reports_without_form_or_edit_links(observer, partner_a, chain_a):
    report = report_for(partner_a, chain_a)
    html = client_for(observer).get(reverse("outcomes:partner", args=[partner_a.pk])).content
    html = html.decode()
    assert "Report a period" not in html
    assert reverse("outcomes:edit_report", args=[partner_a.pk, report.pk]) not in html
    assert reverse("outcomes:delete_report", args=[partner_a.pk, report.pk]) not in html
    assert "1 Jan 2026 – 31 Mar 2026" in html
