"""Issue 15, item 8: every main page is usable on a 390 px phone. Partners update their offers
in the field and coordinators log a visit from the farm: no page may be wider than the screen
(a table scrolls inside its card instead), and the navigation folds into a menu button."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from convenings.models import ActionItem, Convening, WorkingGroup
from devdata.demo import DEMO_PASSWORD, FOOD, build_demo_network
from imports.models import ImportJob
from matchmaking.models import Introduction
from partners.models import Need, Partner, Person, ValueChain

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The widest element that sticks out past the viewport, not counting what sits inside a
# container that scrolls or clips sideways (a wrapped table may be wide: that is the point).
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null, widestWidth = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || clipped(el)) continue;
    if (box.width > widestWidth) { widest = el; widestWidth = box.width; }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.id ? "#" + widest.id : "")
    + (widest.className && typeof widest.className === "string"
       ? "." + widest.className.trim().split(/\\s+/).join(".") : "") : "?";
  return {page: document.documentElement.scrollWidth, element: name,
          elementWidth: Math.round(widestWidth)};
}"""


def phone_page(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, username, DEMO_PASSWORD)
    return page


def overflowing(page, paths) -> list[str]:
    """Open each path; say which ones are wider than the phone, and what sticks out."""
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        found = page.evaluate(OVERFLOW)
        if found:
            problems.append(
                f"{path}: page {found['page']}px wide at 390px; widest offender "
                f"{found['element']} ({found['elementWidth']}px)"
            )
    return problems


def partner_tabs(page, partner_path) -> list[str]:
    page.goto(partner_path)
    hrefs = page.locator("#tab [role=tab]").evaluate_all("tabs => tabs.map(t => t.href)")
    return [partner_path + href[href.index("?") :] for href in hrefs]


@pytest.fixture
def demo(db):
    build_demo_network()
    chain = ValueChain.objects.order_by("pk").first()
    return {
        "chain": chain,
        "partner": Partner.objects.get(name="Riverbend Family Farm"),
        "lead_partner": Partner.objects.get(name="Msunduzi Furniture Works"),
        "person": Person.objects.order_by("pk").first(),
        "introduction": Introduction.objects.order_by("pk").first(),
        "need": Need.objects.order_by("pk").first(),
        "convening": Convening.objects.order_by("pk").first(),
        "cancelled": Convening.objects.get(status="cancelled"),
        "coming": Convening.objects.filter(status="scheduled", starts_at__gt=timezone.now())
        .order_by("pk")
        .first(),
        "group": WorkingGroup.objects.order_by("pk").first(),
        "action": ActionItem.objects.order_by("pk").first(),
    }


def test_coordinator_pages_fit_a_phone(browser, live_server, demo):
    page = phone_page(browser, live_server, "coordinator@demo.vcc")
    partner = demo["partner"]
    paths = [
        reverse("outcomes:dashboard"),
        reverse("partners:directory"),
        *partner_tabs(page, partner.get_absolute_url()),  # the timeline holds the visit log form
        reverse("partners:people"),
        reverse("partners:person", args=[demo["person"].pk]),
        reverse("partners:chains"),
        reverse("partners:chain", args=[demo["chain"].pk]),
        reverse("matchmaking:chain_gaps", args=[demo["chain"].pk]),
        reverse("matchmaking:network"),
        reverse("matchmaking:board"),
        reverse("matchmaking:introduction", args=[demo["introduction"].pk]),
        reverse("matchmaking:suggestions"),
        reverse("matchmaking:need_suggestions", args=[demo["need"].pk]),
        reverse("convenings:list"),
        reverse("convenings:detail", args=[demo["convening"].pk]),
        reverse("convenings:detail", args=[demo["cancelled"].pk]),
        reverse("convenings:cancel", args=[demo["coming"].pk]),
        reverse("convenings:groups"),
        reverse("convenings:group", args=[demo["group"].pk]),
        reverse("convenings:action", args=[demo["action"].pk]),
        reverse("convenings:my_actions"),
        reverse("imports:index"),
        reverse("outbox:outbox"),
        reverse("partners:listing_create", args=[partner.pk, "offers"]),
        # Forms a coordinator fills in away from a desk.
        reverse("partners:edit", args=[partner.pk]),
        reverse("partners:person_edit", args=[demo["person"].pk]),
        reverse("matchmaking:introduce", args=[partner.pk]),
        reverse("matchmaking:chain_settings", args=[demo["chain"].pk]),
        reverse("convenings:create"),
        reverse("convenings:overdue"),
    ]
    if ImportJob.objects.exists():
        paths.append(reverse("imports:job", args=[ImportJob.objects.first().pk]))
    problems = overflowing(page, paths)
    assert not problems, "\n".join(problems)


def test_partner_pages_fit_a_phone(browser, live_server, demo):
    page = phone_page(browser, live_server, "partner@demo.vcc")
    partner = demo["partner"]
    paths = [
        reverse("home"),
        *partner_tabs(page, partner.get_absolute_url()),
        reverse("partners:listing_create", args=[partner.pk, "offers"]),
        reverse("partners:listing_create", args=[partner.pk, "needs"]),
        reverse("partners:edit", args=[partner.pk]),
        reverse("outcomes:partner", args=[partner.pk]),
        reverse("convenings:list"),
        reverse("convenings:my_actions"),
        reverse("convenings:my_calendar"),
    ]
    introduction = Introduction.objects.filter(partner_a=partner).first()
    if introduction:
        paths.append(reverse("matchmaking:introduction", args=[introduction.pk]))
    problems = overflowing(page, paths)
    assert not problems, "\n".join(problems)


def test_working_group_lead_pages_fit_a_phone(browser, live_server, demo):
    page = phone_page(browser, live_server, "lead@demo.vcc")
    lead_partner = demo["lead_partner"]
    group = WorkingGroup.objects.filter(lead__user__username="lead@demo.vcc").first()
    paths = [
        reverse("home"),
        *partner_tabs(page, lead_partner.get_absolute_url()),
        reverse("partners:listing_create", args=[lead_partner.pk, "offers"]),
        reverse("convenings:list"),
        reverse("convenings:groups"),
        reverse("convenings:my_actions"),
        reverse("convenings:my_calendar"),
    ]
    if group:
        paths.append(reverse("convenings:group", args=[group.pk]))
    # The demo's first convening and action item are the Saligna working group's: the lead's.
    paths += [
        reverse("convenings:detail", args=[demo["convening"].pk]),
        reverse("convenings:action", args=[demo["action"].pk]),
    ]
    problems = overflowing(page, paths)
    assert not problems, "\n".join(problems)


def test_navigation_folds_into_a_menu_button(browser, live_server, demo):
    page = phone_page(browser, live_server, "coordinator@demo.vcc")
    page.goto(reverse("matchmaking:board"))
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(nav.get_by_role("link", name="Convenings")).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Convenings").click()
    expect(page.get_by_role("heading", name="Convenings", level=1)).to_be_visible()

    # At desktop width the links are simply there, with no menu button.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(nav.get_by_role("link", name="Convenings")).to_be_visible()
    expect(menu).to_be_hidden()


# Every link an observer is shown on these pages must open (no 403 or 404 behind a button),
# and no form on them changes anything (sign out aside).
LINKS_AND_POST_FORMS = """() => ({
  links: [...document.querySelectorAll("main a[href]")].map(a => a.getAttribute("href"))
    .filter(h => h.startsWith("/") && !h.startsWith("/static/")),
  posts: [...document.querySelectorAll("main form")]
    .filter(f => (f.getAttribute("method") || "get").toLowerCase() === "post")
    .map(f => f.getAttribute("action") || location.pathname),
})"""


def test_observer_pages_fit_a_phone_and_offer_nothing_they_cannot_use(browser, live_server, demo):
    food = ValueChain.objects.get(name=FOOD)
    page = phone_page(browser, live_server, "observer@demo.vcc")
    partner = demo["partner"]  # Riverbend Family Farm: a grower of the food chain
    person = Person.objects.filter(affiliations__partner=partner).first()
    convening = Convening.objects.filter(value_chain=food).first()
    group = WorkingGroup.objects.filter(value_chain=food).first()
    paths = [
        reverse("partners:chains"),
        reverse("partners:chain", args=[food.pk]),
        reverse("partners:directory"),
        *partner_tabs(page, partner.get_absolute_url()),
        reverse("partners:people"),
        reverse("partners:person", args=[person.pk]),
        reverse("matchmaking:chain_gaps", args=[food.pk]),
        reverse("matchmaking:chain_network", args=[food.pk]),
        reverse("outcomes:dashboard"),
        reverse("outcomes:report"),
        reverse("convenings:list"),
        reverse("convenings:groups"),
    ]
    paths += [c.get_absolute_url() for c in (convening, group) if c is not None]
    problems = overflowing(page, paths)
    assert not problems, "\n".join(problems)

    links, posts = set(), []
    for path in paths:
        page.goto(path)
        found = page.evaluate(LINKS_AND_POST_FORMS)
        links.update(found["links"])
        posts += [f"{path}: a form posting to {action}" for action in found["posts"]]
    assert not posts, "\n".join(posts)
    dead = []
    for link in sorted(links):
        status = page.request.get(live_server.url + link, max_redirects=0).status
        if status not in (200, 302):
            dead.append(f"{link} answered {status}")
    assert not dead, "\n".join(dead)
