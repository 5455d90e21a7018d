"""Journey (issue 15): one season of an organic tomato-soup value chain, from an empty
database (not the demo), through the browser only. A coordinator creates the chain and its
stages, adds partners by hand and by import, matches a grower's offer with a processor's
need, moves the introduction to trading, logs a commitment, runs a convening (invitations,
an RSVP from the email link, attendance), forms a working group whose lead signs in from an
emailed invitation and posts an action item; then the map, the gaps page, the dashboard,
the outbox (every link in it answers), the export and the phone layout tell the story.

Only the first coordinator is made in the database, and the one thing a browser cannot do
is done there too: the week passes and the meeting is held (its times move into the past).
Everything else goes through the pages, the emails' links included; the lead's account comes
from the "Invite to sign in" email.
"""

import csv
import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from convenings.models import ActionItem, Convening, Invitee
from matchmaking.models import Introduction
from outbox.models import Message
from partners.models import Partner, Person, ValueChain
from tests.factories import UserFactory

from .conftest import PASSWORD, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = ["Growing", "Processing", "Aggregation", "Institutional buying"]
PARTNERS_CSV = (
    "Organisation,Type,County,Role,Stages\n"
    "Heartland Food Hub,cooperative,Story County,aggregator,Aggregation\n"
    "Prairie Unified School District,institution,Polk County,buyer,Institutional buying\n"
    "Mercy Valley Hospital,institution,Polk County,buyer,Institutional buying\n"
    "Rural Roots CDFI,funder,Story County,support,\n"
    "County Extension Service,public_agency,Story County,support,\n"
)
PEOPLE_CSV = (
    "First name,Last name,Email,Organisation,Title\n"
    "Dana,Lee,dana@heartlandhub.example,Heartland Food Hub,Operations manager\n"
    "Sam,Ortiz,sam@prairieschools.example,Prairie Unified School District,Food service director\n"
)
ANA, BEN = "ana@sunnyslope.example", "ben@valleykettle.example"
IMPORTED = [line.split(",")[0] for line in PARTNERS_CSV.splitlines()[1:]]
OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def import_file(page, kind, name, text, rows, guesses=()):
    page.goto("/imports/")
    page.get_by_label("Into value chain").select_option(label="Tomato Soup for Schools")
    page.get_by_label("The file lists").select_option(kind)
    page.get_by_label("Spreadsheet").set_input_files(csv_file(name, text))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_role("heading", name="1. Match the columns")).to_be_visible()
    for header, field in guesses:  # the headers the import recognised by itself
        expect(page.get_by_label(header, exact=True)).to_have_value(field)
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(page.locator("#dry-run")).to_contain_text("0 with errors")
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.locator(".card").first).to_contain_text(f"{rows} created")


def add_partner(page, name, kind, region, stage, role):
    page.goto("/partners/new/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.fill("#id_region", region)
    page.select_option("#id_p-value_chain", label="Tomato Soup for Schools")
    page.get_by_label(f"Tomato Soup for Schools: {stage}").check()
    page.select_option("#id_p-chain_role", role)
    page.get_by_role("button", name="Add partner").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return page.url


def add_person(page, partner_url, first, last, email, title):
    page.goto(partner_url)
    page.get_by_role("link", name="Add a person").click()
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_email", email)
    page.locator("#id_consent_to_contact").check()
    page.fill("#id_title", title)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text(f"{first} {last} was added")


def add_listing(page, partner_url, kind, volume, months, product=None, new_product=None):
    page.goto(partner_url)
    page.get_by_role("tab", name="Offers & needs").click()
    page.get_by_role("link", name=f"Add an {kind}" if kind == "offer" else f"Add a {kind}").click()
    form = page.locator("#listing-form")
    if new_product:
        form.get_by_label("Or a new product").fill(new_product)
    else:
        form.get_by_label("Product", exact=True).select_option(label=product)
    form.get_by_label("Volume").fill(str(volume))
    form.get_by_label("Unit").fill("lb")
    for month in months:
        form.get_by_label(month, exact=True).check()
    form.get_by_role("button", name=f"Save {kind}").click()
    expect(page.locator("#messages")).to_contain_text(f"{kind.title()} saved.")


def test_a_season_of_the_tomato_soup_chain(new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    coordinator = UserFactory(
        username="coordinator@tomato.example", coordinator=True, first_name="Rosa"
    )
    page = new_page()

    # 1. The first run (on My day) leads to the chain, then its stages.
    sign_in(page, coordinator.username)
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.get_by_text("You coordinate no value chain yet.")).to_be_visible()
    page.get_by_role("link", name="Create your first value chain").click()
    page.fill("#id_name", "Tomato Soup for Schools")
    page.fill(
        "#id_market_opportunity",
        "Schools and hospitals want a local organic tomato soup on their menus.",
    )
    page.fill("#id_region", "Central Iowa")
    page.fill("#id_currency", "usd")
    page.get_by_role("button", name="Create value chain").click()
    chain = ValueChain.objects.get()
    assert chain.currency == "USD" and chain.coordinators.filter(pk=coordinator.pk).exists()
    expect(page).to_have_url(re.compile(rf"/chains/{chain.pk}/edit/$"))
    expect(page.locator("#messages")).to_contain_text("Now set out its stages, in order.")
    stages = page.locator("#stages")
    for n, stage in enumerate(STAGES, start=1):
        stages.get_by_label("Stage name").fill(stage)
        stages.get_by_role("button", name="Add stage").click()
        expect(stages.locator("li[data-stage]")).to_have_count(n)
    expect(stages.locator("li[data-stage]").nth(1)).to_have_attribute("data-stage", "Processing")

    # 2. Partners and people by hand...
    grower_url = add_partner(
        page, "Sunny Slope Organics", "business", "Story County", "Growing", "producer"
    )
    add_person(page, grower_url, "Ana", "Ruiz", ANA, "Owner")
    processor_url = add_partner(
        page, "Valley Kettle Soups", "business", "Polk County", "Processing", "processor"
    )
    add_person(page, processor_url, "Ben", "Okafor", BEN, "Buyer")

    # ... and the rest by import: map, dry run, commit.
    guesses = [
        ("Organisation", "name"),
        ("Type", "kind"),
        ("County", "region"),
        ("Role", "chain_role"),
        ("Stages", "stages"),
    ]
    import_file(page, "partners", "partners.csv", PARTNERS_CSV, 5, guesses)
    guesses = [("Email", "email"), ("Organisation", "organisation"), ("Title", "title")]
    import_file(page, "people", "contacts.csv", PEOPLE_CSV, 2, guesses)
    assert set(Partner.objects.values_list("name", flat=True)) == {
        "Sunny Slope Organics",
        "Valley Kettle Soups",
        *IMPORTED,
    }

    # Before any work, the gaps page flags the unlinked stages and the uncontacted partners.
    page.goto(f"/chains/{chain.pk}/gaps/")
    quiet = page.locator("#gap-quiet")
    for name in ("Sunny Slope Organics", "Valley Kettle Soups", "Heartland Food Hub"):
        expect(quiet.locator("p", has_text=name)).to_contain_text("never contacted")
    expect(page.locator("#gap-links")).to_contain_text("Growing → Processing: no relationship yet")

    # 3. An offer and a need of the same product; the suggestion; accepted.
    summer = ["Jul", "Aug", "Sep"]
    add_listing(page, grower_url, "offer", 20000, summer, new_product="Organic tomatoes")
    add_listing(page, processor_url, "need", 15000, summer, product="Organic tomatoes")
    page.locator("#tab").get_by_role("link", name="Suggested suppliers").click()
    card = page.locator("#suggestions .suggestion").first
    expect(card).to_contain_text("Sunny Slope Organics")
    expect(card).to_contain_text("Supplies Organic tomatoes, the product needed")
    card.get_by_role("link", name="Accept: introduce").click()
    expect(page.get_by_label("Contact at Valley Kettle Soups")).to_contain_text("Ben Okafor")
    expect(page.get_by_label("Contact at Sunny Slope Organics")).to_contain_text("Ana Ruiz")
    page.get_by_role("button", name="Introduce them").click()
    expect(
        page.get_by_role("heading", name="Valley Kettle Soups ↔ Sunny Slope Organics")
    ).to_be_visible()
    introduction = Introduction.objects.get()
    intro_url = page.url

    # 4. Along to trading, with the year's sales.
    page.select_option("#id_status", "talking")
    page.fill("#id_note", "Ben tasted the Roma and the San Marzano; wants both.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".pipeline li.current")).to_have_text("Talking")
    page.select_option("#id_status", "trading")
    page.fill("#id_annual_sales_value", "36000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("dd", has_text="a year")).to_contain_text(re.compile(r"\$\s?36,000"))
    expect(page.locator(".pipeline li.current")).to_have_text("Trading")
    introduction.refresh_from_db()
    assert introduction.status == "trading" and introduction.annual_sales_value == 36000
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Introductions").click()
    expect(page.locator("#board .column[data-status=trading] .intro-card")).to_contain_text(
        "Sunny Slope Organics"
    )

    # 5. A commitment toward the food hub.
    page.goto(grower_url)
    page.get_by_role("link", name="Record a commitment").click()
    page.select_option("#id_value_chain", label="Tomato Soup for Schools")
    page.fill("#id_description", "Deliver organic tomatoes to the food hub for the soup run")
    page.select_option("#id_product", label="Organic tomatoes")
    page.fill("#id_quantity", "5000")
    page.fill("#id_unit", "lb")
    page.select_option("#id_toward", label="Heartland Food Hub (Story County)")
    page.fill("#id_due_on", f"{timezone.localdate():%Y-%m-%d}")
    page.select_option("#id_status", "kept")
    page.fill("#id_evidence", "Delivery note of 12 September")
    page.get_by_role("button", name="Save").click()
    commitments = page.locator("[id^=commitment-]")
    expect(commitments).to_contain_text("5,000 lb Organic tomatoes")
    expect(commitments).to_contain_text("toward Heartland Food Hub")
    expect(commitments).to_contain_text("Kept")

    # 6. A convening: invitations by stage, an RSVP from the email, attendance.
    page.goto("/convenings/new/")
    page.select_option("#id_kind", label="Stakeholder meeting")
    page.fill("#id_title", "Tomato season kickoff")
    page.select_option("#id_time_zone", "America/Chicago")
    starts = timezone.localdate() + datetime.timedelta(days=7)
    page.fill("#id_starts_at", f"{starts:%Y-%m-%d}T09:00")
    page.fill("#id_ends_at", f"{starts:%Y-%m-%d}T12:00")
    page.fill("#id_place", "Heartland Food Hub, loading dock")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="Tomato season kickoff")).to_be_visible()
    convening_url = page.url
    page.get_by_role("link", name="Invite people").click()
    page.select_option("#id_stages", label=["Growing", "Processing"])
    page.select_option("#id_partners", label="Heartland Food Hub")
    page.get_by_role("button", name="Invite", exact=True).click()
    # Dana came in by the import, which records no consent to contact: invited, not emailed.
    expect(page.get_by_text("3 invited, 1 not emailed.")).to_be_visible()
    expect(page.get_by_text("No consent to contact, so not sent: Dana Lee.")).to_be_visible()
    invitation = next(m for m in mail.outbox if m.to == [ANA] and "Invitation" in m.subject)
    link = re.search(r"Yes: (\S+)", invitation.body).group(1)
    assert link.startswith(live_server.url)
    ana = new_page()  # not signed in
    ana.goto(urlsplit(link).path)
    ana.get_by_role("button", name="Confirm “Yes”").click()
    expect(ana.get_by_role("heading", name="Thank you")).to_be_visible()
    # The week passes and the meeting is held (the one step not taken in the browser).
    Convening.objects.update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page.goto(convening_url)
    attendance = page.locator("#attendance")
    expect(attendance.locator("tr", has_text="Ana Ruiz")).to_contain_text("Yes")
    dana = attendance.locator("tr", has_text="Dana Lee")  # imported, at the imported hub
    expect(dana).to_contain_text("Heartland Food Hub")
    expect(dana).to_contain_text("No answer")
    for person in ("Ana Ruiz", "Ben Okafor"):
        row = attendance.locator("tr", has_text=person)
        with page.expect_response(lambda r: "/attendance/" in r.url):
            row.get_by_label("attended").check()
    expect(page.locator("#attendance input[name=attended]:checked")).to_have_count(2)
    assert Invitee.objects.filter(attended=True).count() == 2

    # 7. A working group led by the processor's buyer, who signs in from an invitation.
    page.goto(processor_url)
    page.get_by_role("link", name="Invite to sign in").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#messages")).to_contain_text("An invitation is on its way")
    welcome = next(m for m in mail.outbox if m.to == [BEN] and "password" in m.body)
    set_password = re.search(r"(http\S+/invitation/\S+)", welcome.body).group(1)
    assert set_password.startswith(live_server.url)

    page.goto("/groups/new/")
    expect(page.get_by_text("In Tomato Soup for Schools")).to_be_visible()
    page.fill("#id_name", "Soup spec for schools")
    page.fill("#id_problem", "Schools need a low-sodium soup the kettle can make in bulk.")
    ben_pk, ana_pk = (str(Person.objects.get(email=e).pk) for e in (BEN, ANA))
    page.select_option("#id_lead", ben_pk)
    page.select_option("#id_members", [ben_pk, ana_pk])
    page.select_option("#id_status", "active")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Soup spec for schools")).to_be_visible()
    group_url = page.url

    ben = new_page()
    ben.goto(urlsplit(set_password).path)
    ben.fill("#id_new_password1", PASSWORD)
    ben.fill("#id_new_password2", PASSWORD)
    ben.get_by_role("button", name="Set password and sign in").click()
    expect(ben.get_by_role("heading", name="Valley Kettle Soups")).to_be_visible()
    ben.goto(group_url)
    ben.fill("#id_title", "Draft the low-sodium recipe")
    ben.select_option("#id_owner", ana_pk)
    ben.fill("#id_due_on", f"{starts + datetime.timedelta(days=14):%Y-%m-%d}")
    ben.get_by_role("button", name="Post", exact=True).click()
    expect(ben.get_by_text("Action item posted")).to_be_visible()
    assert ActionItem.objects.get().posted_by.username == BEN

    # 8. What the coordinator sees. The map: the introduction's edge.
    network = json.loads(page.request.get(f"/chains/{chain.pk}/network.json").text())
    grower, processor = (
        str(Partner.objects.get(name=n).pk) for n in ("Sunny Slope Organics", "Valley Kettle Soups")
    )
    edge = next(e for e in network["edges"] if e["origin"] == "introduction")
    assert {edge["source"], edge["target"]} == {grower, processor}, network["edges"]
    assert edge["kind"] == "Buyer–supplier" and edge["strength"] == "strong"

    # The gaps: the attendees' partners were contacted; Growing → Processing is linked.
    page.goto(f"/chains/{chain.pk}/gaps/")
    quiet = page.locator("#gap-quiet")
    expect(quiet).to_be_visible()
    for name in ("Sunny Slope Organics", "Valley Kettle Soups"):
        expect(quiet.get_by_role("link", name=name)).to_have_count(0)
    # Invited is not met: Dana did not come, so the food hub is still never contacted.
    expect(quiet.locator("p", has_text="Heartland Food Hub")).to_contain_text("never contacted")
    expect(page.locator("#gap-links")).not_to_contain_text("Growing → Processing")
    screenshot(page, "season-gaps")

    # The dashboard: the funnel through trading, its sales in dollars.
    page.goto("/dashboard/")
    funnel = page.locator("#figure-funnel")
    expect(funnel).to_contain_text("100% of the 1 introductions made reached trading.")
    expect(funnel.locator("rect.chart-bar")).to_have_count(5)  # proposed … trading, each 1
    expect(page.locator("#figure-convenings")).to_contain_text(
        "1 convening held; 2 of 3 people invited came (67%)."
    )
    expect(page.locator("#figure-commitments")).to_contain_text(
        "1 of 1 commitments due were kept (100%)."
    )
    sales = page.locator("#figure-sales")
    expect(sales).to_contain_text(re.compile(r"\$\s?36,000 a year from 1 trading introduction\."))
    expect(sales).to_contain_text(re.compile(r"\$\s?36,000 from introductions"))
    screenshot(page, "season-dashboard")

    # The outbox lists what went out; every link in it starts at SITE_URL and answers.
    page.goto("/followups/outbox/")
    rows = page.locator("#outbox-rows")
    expect(rows.get_by_text("Invitation: Tomato season kickoff").first).to_be_visible()
    expect(rows.get_by_text(ANA).first).to_be_visible()
    expect(rows.get_by_text(BEN).first).to_be_visible()
    expect(rows.get_by_text("How did the introduction to Sunny Slope Organics go?")).to_be_visible()
    expect(rows.get_by_text("Due soon: Draft the low-sodium recipe")).to_be_visible()
    screenshot(page, "season-outbox")
    links = set()
    for message in Message.objects.all():
        for url in re.findall(r"https?://[^\s\"'<>]+", message.body_text + message.body_html):
            assert url.startswith(live_server.url), (message.subject, url)
            links.add(url)
    assert links
    assert {(urlsplit(u).path + "/").split("/")[1] for u in links} >= {
        "convenings",  # the convening and its calendar file
        "rsvp",
        "introductions",  # the one-click answers
        "followups",  # the opt-outs
        "actions",
    }
    visitor = new_page()  # someone reading the email, not signed in
    for url in sorted(links):
        response = visitor.request.get(url)  # GET only asks; nothing is changed
        if "/accounts/invitation/" in url:
            # Ben's invitation to sign in, which he followed: a link that works once.
            assert response.status == 400, (url, response.status)
            continue
        assert response.status == 200, (url, response.status)
        assert "This link does not work" not in response.text(), url
    # A few, followed as a reader would.
    trading = next(u for u in links if "/introductions/answer/" in u)
    visitor.goto(urlsplit(trading).path)
    expect(
        visitor.get_by_role("heading", name="Valley Kettle Soups ↔ Sunny Slope Organics")
    ).to_be_visible()
    opt_out = next(u for u in links if "/followups/opt-out/" in u)
    visitor.goto(urlsplit(opt_out).path)
    expect(visitor.get_by_role("heading", name=re.compile("No more “.*” emails?"))).to_be_visible()
    action = next(u for u in links if "/actions/" in u)
    page.goto(urlsplit(action).path)
    expect(page.get_by_role("heading", name="Draft the low-sodium recipe")).to_be_visible()

    # The export has every partner.
    page.goto("/partners/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these partners as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        exported = {row["Name"]: row for row in csv.DictReader(f)}
    assert set(exported) == {"Sunny Slope Organics", "Valley Kettle Soups", *IMPORTED}
    assert exported["Heartland Food Hub"]["Stages"] == "Aggregation"
    assert exported["Sunny Slope Organics"]["Value chains"].startswith("Tomato Soup for Schools")
    assert exported["Valley Kettle Soups"]["Last contact"]  # the convening counted
    assert not exported["Rural Roots CDFI"]["Last contact"]

    # 9. The key pages fit a 390 px phone, the coordinator's and the lead's.
    wide = []
    for who, path in (
        (page, grower_url),
        (page, f"{grower_url}?tab=offers"),
        (page, "/introductions/"),
        (page, intro_url),
        (page, convening_url),
        (page, "/dashboard/"),
        (page, f"/chains/{chain.pk}/gaps/"),
        (page, "/followups/outbox/"),
        (ben, group_url),
        (ben, processor_url),
    ):
        who.set_viewport_size({"width": 390, "height": 844})
        response = who.goto(path)
        assert response.status == 200, (path, response.status)
        if not who.evaluate(OVERFLOW):
            wide.append(path)
    assert not wide, f"wider than a 390 px phone: {wide}"
