"""Every page keeps to the Content-Security-Policy: no inline script, handler or style anywhere.

Chromium visits every page of the URLconf that a coordinator, a partner member, a
working-group lead and an anonymous visitor can reach (on the demo network), opens htmx
fragments (a partner's tabs, the offer form, the directory's live search, the people picker),
and fails on any violation: a `securitypolicyviolation` event or a "Content Security Policy"
console message. A URL the test cannot fill in fails it too, so a new page is covered or
explicitly set aside.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from capture.models import CapturedAddress, CapturedMessage
from convenings import emails as convening_emails
from convenings.models import ActionItem, CalendarFeed, Convening, Invitee, WorkingGroup
from devdata.demo import DEMO_PASSWORD, build_demo_network
from devdata.demo_mail import capture_demo_mail
from followups.models import Task
from imports.models import ImportJob, ImportKind
from intake import services as intake_services
from intake.models import IntakeForm, IntakeSubmission
from matchmaking import emails as matchmaking_emails
from matchmaking.models import Introduction, RecomputeRun, Suggestion
from matchmaking.suggestions import recompute_all
from outbox.models import Kind, Message
from outbox.services import opt_out_url, schedule
from outcomes.dashboard import FIGURES
from outcomes.models import OutcomeReport
from partners.models import (
    Commitment,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Stage,
    ValueChain,
)

from .conftest import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not pages: files and data a page fetches (their content type carries no policy to break),
# and the sign-out, which takes a POST.
NOT_PAGES = {
    "partners:directory_csv",
    "partners:people_csv",
    "matchmaking:chain_network_data",
    "matchmaking:network_data",
    "outcomes:figure_csv",
    "convenings:ics",
    "convenings:feed",
    "logout",
}

LISTEN = """() => document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ` +
                      `${e.sourceFile || location.pathname}:${e.lineNumber} ` +
                      `(${(e.sample || "").slice(0, 60)})`))"""


def url_patterns(patterns=None, prefix="", namespace=""):
    """(view name, route, its keyword arguments) of every named URL but the admin's."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = ":".join(n for n in (namespace, p.namespace) if n)
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, prefix + str(p.pattern), list(p.pattern.converters)


def pk(obj):
    return obj.pk if obj is not None else None


def objects_for(username: str | None) -> dict:
    """The demo's objects a role's pages are about: its own organisation and person, else the
    coordinator's view of the first ones."""
    person = Person.objects.filter(user__username=username).first() if username else None
    partner = (
        person.affiliations.first().partner
        if person and person.affiliations.exists()
        else Partner.objects.get(name="Riverbend Family Farm")
    )
    person = person or Person.objects.exclude(user=None).order_by("pk").first()
    introduction = (
        Introduction.objects.filter(partner_a=partner).first()
        or Introduction.objects.filter(partner_b=partner).first()
        or Introduction.objects.order_by("pk").first()
    )
    group = (
        WorkingGroup.objects.filter(lead__user__username=username).first()
        or WorkingGroup.objects.order_by("pk").first()
    )
    convening = Convening.objects.filter(working_group=group).first() or Convening.objects.first()
    invitee = Invitee.objects.filter(convening=convening).order_by("pk").first()
    suggestion = Suggestion.objects.order_by("pk").first()
    chain = ValueChain.objects.order_by("pk").first()
    feed = CalendarFeed.objects.get_or_create(person=person)[0]
    intake_form = IntakeForm.objects.order_by("pk").first()
    message = CapturedMessage.objects.order_by("pk").first()
    return {
        "partners": pk(partner),
        "people": pk(person),
        "chains": pk(chain),
        "introductions": pk(introduction),
        "needs": pk(Need.objects.order_by("pk").first()),
        "imports": pk(ImportJob.objects.order_by("pk").first()),
        "suggestions": pk(RecomputeRun.objects.order_by("pk").first()),
        "convenings": pk(convening),
        "groups": pk(group),
        "actions": pk(ActionItem.objects.filter(working_group=group).first()),
        "calendar": pk(invitee),
        "followups": pk(Message.objects.order_by("pk").first()),
        "kind": "offers",
        "listing_pk": pk(Offer.objects.filter(partner=partner).first()),
        "participation_pk": pk(Participation.objects.filter(partner=partner).first()),
        "commitment_pk": pk(Commitment.objects.filter(partner=partner).first()),
        "stage_pk": pk(Stage.objects.filter(value_chain=chain).first()),
        "report_pk": pk(OutcomeReport.objects.filter(partner=partner).first()),
        "invitee_pk": pk(invitee),
        "need": suggestion.need_id if suggestion else None,
        "offer": suggestion.offer_id if suggestion else None,
        "key": next(iter(FIGURES)),
        "intake": pk(intake_form),
        "answers": pk(IntakeSubmission.objects.order_by("pk").first()),
        "capture": pk(message),
        "address_pk": pk(CapturedAddress.objects.filter(message=message).first()),
        "tasks": pk(Task.objects.order_by("pk").first()),
        "user_pk": pk(get_user_model().objects.filter(observed_chains__isnull=False).first()),
        # Links from emails whose tokens a test cannot know: their "no longer valid" pages.
        "uidb64": "MQ",
        "session_id": "not-a-session",
        "tokens": {
            "convenings:rsvp_link": convening_emails.rsvp_token(invitee, "yes"),
            "matchmaking:introduction_answer": matchmaking_emails.answer_token(
                introduction, introduction.partner_a_id, "talking"
            ),
            "outbox:opt_out": opt_out_url(person.email or "x@example.org", "digest").split("/")[-2],
            "convenings:feed": feed.token,
            "intake:public": intake_form.token if intake_form else None,
            "intake:thanks": intake_form.token if intake_form else None,
            "accounts:password_reset_confirm": "set-password",
            "accounts:confirm_email": "not-a-token",
        },
    }


def page_paths(username: str | None) -> tuple[list[str], list[str]]:
    """Every page's path with the role's objects filled in, and the URLs that could not be."""
    objects = objects_for(username)
    paths, unfilled = [], []
    for name, route, kwargs in url_patterns():
        if name in NOT_PAGES:
            continue
        values = {}
        for kwarg in kwargs:
            if kwarg == "pk":
                values[kwarg] = objects.get(route.split("/")[0])
            elif kwarg == "token":
                values[kwarg] = objects["tokens"].get(name)
            else:
                values[kwarg] = objects.get(kwarg)
        if name == "accept_invitation":
            continue  # an invitation's page: tested below with a real link
        if any(v is None for v in values.values()):
            unfilled.append(f"{name} ({route})")
            continue
        paths.append(reverse(name, kwargs=values))
    return paths, unfilled


@pytest.fixture
def demo(db):
    build_demo_network()
    # The demo has no import job or recompute run: one of each, for their pages.
    coordinator = get_user_model().objects.get(username="coordinator@demo.vcc")
    chain = ValueChain.objects.order_by("pk").first()
    ImportJob.objects.create(
        value_chain=chain,
        kind=ImportKind.PARTNERS,
        uploaded_by=coordinator,
        filename="partners.csv",
        data=b"Name\nKwena Growers\n",
        headers=["Name"],
    )
    RecomputeRun.objects.create(requested_by=coordinator, every_chain=True)
    recompute_all()  # the suggestions
    intake_form = intake_services.create_form(  # an intake form with answers, for its pages
        chain=chain,
        values={"title": "Join the network", "sections": ["person", "offer", "need"]},
        by=coordinator,
    )
    intake_services.submit_answers(form=intake_form, values={"partner_name": "Kwena Growers"})
    capture_demo_mail()  # captured email waiting for review, and on a timeline
    Task.objects.create(  # a coordinator's task, for its pages
        value_chain=chain,
        title="Call Riverbend about the trial order",
        due_on=timezone.localdate(),
        assignee=coordinator,
    )
    schedule(
        key="csp-test",
        kind=Kind.OTHER,
        subject="Kiln news",
        template="outbox/email/plain",
        context={"text": "The kiln is dry."},
        due_at=timezone.now() + datetime.timedelta(days=1),
        person=Person.objects.exclude(email="").order_by("pk").first(),
    )


class Watcher:
    """Collects the policy violations Chromium reports on a page, with where they happened."""

    def __init__(self, page):
        self.page = page
        self.violations: list[str] = []
        self.where = ""
        page.expose_function("cspViolation", lambda text: self.violations.append(self.where + text))
        page.add_init_script(f"({LISTEN})()")
        page.on(
            "console",
            lambda m: (
                "Content Security Policy" in m.text
                and self.violations.append(f"{self.where}console: {m.text[:200]}")
            ),
        )

    def visit(self, path: str) -> int:
        self.where = f"{path}: "
        # A page the role cannot open (403, 404, 405 for a POST-only address) may have no body,
        # which Chromium treats as a failed navigation: ask first, open only what answers.
        asked = self.page.request.get(path, max_redirects=0)
        if asked.status != 200:
            return asked.status
        response = self.page.goto(path)
        if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
            assert "frame-ancestors 'none'" in policy, path
        self.page.wait_for_timeout(100)  # violations are reported asynchronously
        return response.status


def visit_all(browser, live_server, username: str | None) -> tuple[Watcher, list[str]]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    watcher = Watcher(page)
    if username:
        sign_in(page, username, DEMO_PASSWORD)
    paths, unfilled = page_paths(username)
    assert not unfilled, "URLs this test cannot fill in (add their objects):\n" + "\n".join(
        unfilled
    )
    reached = []
    for path in paths:
        status = watcher.visit(path)
        assert status < 500, f"{path} answered {status}"
        if status == 200:
            reached.append(path)
    return watcher, reached


def test_the_watcher_sees_a_violation(browser, live_server, demo):
    """The test can fail: an inline style put into a page is reported."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    watcher = Watcher(page)
    watcher.visit(reverse("login"))
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_timeout(300)
    assert any("style-src" in v for v in watcher.violations), watcher.violations
    context.close()


def test_coordinator_pages_keep_the_policy(browser, live_server, demo):
    watcher, reached = visit_all(browser, live_server, "coordinator@demo.vcc")
    assert len(reached) >= 45, reached
    page = watcher.page
    # htmx fragments: a partner's tabs, the offer form, the live search, the people picker.
    partner = Partner.objects.get(name="Riverbend Family Farm")
    watcher.visit(partner.get_absolute_url())
    for tab in page.locator("#tab [role=tab]").all():
        with page.expect_response(lambda r: "tab=" in r.url):
            tab.click()
    watcher.visit(partner.get_absolute_url() + "?tab=listings")
    add_offer = page.locator(
        f"a[hx-get='{reverse('partners:listing_create', args=[partner.pk, 'offers'])}']"
    )
    if add_offer.count():
        with page.expect_response(lambda r: "/offers/new/" in r.url):
            add_offer.first.click()
    watcher.visit(reverse("partners:directory"))
    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("input[name=q]", "farm")
    watcher.visit(reverse("matchmaking:network"))
    wait_for_js(page, "!document.querySelector('#map-status').textContent.includes('Loading')")
    page.wait_for_timeout(300)
    assert not watcher.violations, "\n".join(watcher.violations)


def test_partner_member_pages_keep_the_policy(browser, live_server, demo):
    watcher, reached = visit_all(browser, live_server, "partner@demo.vcc")
    partner = Partner.objects.get(name="Riverbend Family Farm")
    assert partner.get_absolute_url() in reached and reverse("convenings:my_calendar") in reached
    assert len(reached) >= 10, reached
    watcher.visit(partner.get_absolute_url())
    for tab in watcher.page.locator("#tab [role=tab]").all():
        with watcher.page.expect_response(lambda r: "tab=" in r.url):
            tab.click()
    assert not watcher.violations, "\n".join(watcher.violations)


def test_working_group_lead_pages_keep_the_policy(browser, live_server, demo):
    watcher, reached = visit_all(browser, live_server, "lead@demo.vcc")
    group = WorkingGroup.objects.filter(lead__user__username="lead@demo.vcc").first()
    assert reverse("convenings:group", args=[group.pk]) in reached
    assert len(reached) >= 10, reached
    assert not watcher.violations, "\n".join(watcher.violations)


def test_pages_without_signing_in_keep_the_policy(browser, live_server, demo):
    watcher, reached = visit_all(browser, live_server, None)
    # The sign-in page, the email links, and the error pages.
    assert reverse("login") in reached
    for path in ("/no-such-page/", reverse("partners:directory")):
        watcher.visit(path)
    assert not watcher.violations, "\n".join(watcher.violations)


def test_the_admin_keeps_the_policy(browser, live_server, demo):
    """Django's admin, for the administrators: lists and forms (django-axes' attempts too)."""
    context = browser.new_context(base_url=live_server.url)
    watcher = Watcher(context.new_page())
    sign_in(watcher.page, "admin@demo.vcc", DEMO_PASSWORD)
    partner = Partner.objects.order_by("pk").first()
    for path in [
        "/admin/",
        "/admin/partners/partner/",
        f"/admin/partners/partner/{partner.pk}/change/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",  # (partners are added on vcc's pages, not in the admin)
        "/admin/axes/accessattempt/",
    ]:
        assert watcher.visit(path) == 200, path
    assert not watcher.violations, "\n".join(watcher.violations)
    context.close()
