"""Where a lower app lets a higher one act: every such hook, in one place.

vcc's apps are layered (the README's architecture table): an app imports only the apps below
it, so `partners`, the ground, knows nothing of matchmaking or convenings. When a write or a
page of a lower app must involve a higher one, it goes through one of the hooks below: the
lower app sends the signal (from a service, inside its transaction) or reads the registry (in
a view), and the higher app connects its receiver or registers its section in its
`AppConfig.ready()`. Nothing else crosses upwards; tests/test_layering.py fails on an import
that does.

Signals
- `listing_changed(sender=Offer|Need, listing_id, product_id, removed)`: an offer or need was
  saved (`removed=False`, sent after the save) or is about to be deleted (`removed=True`, sent
  before the delete, while its suggestions can still be read). Sent by
  partners.services.save_listing / delete_listing and by the import for every listing it
  writes. matchmaking recomputes the suggestions the listing touches, after the commit.
- `listings_added(sender=Offer|Need, listing_ids)`: many listings were written at once (an
  import). matchmaking recomputes the suggestions they touch, in one task after the commit.
- `interactions_logged(sender=Interaction, partner_ids, interaction_id=None)`: interactions
  with these partners were recorded (partners.services.log_interaction, which also gives the
  interaction's id). matchmaking refreshes the strength of the relationships among them;
  followups makes the interaction's "follow up on" date a task (or updates or removes it).
- `commitment_kept(sender=Commitment, commitment_id, partner_id, toward_id)`: a commitment
  of one partner toward another became kept (partners.services.save_commitment).
  matchmaking derives (or strengthens) a relationship between the two, of origin
  "commitment".
- `observer_appointed(sender=ValueChain, chain, user, by, new_account)`: a chain's
  coordinator made `user` an observer of `chain` (partners.services.appoint_observer). The
  outbox queues the email that invites them to sign in (outbox/receivers.py).
- `person_invited(sender=Invitation, invitation)`: a coordinator invited a person to sign in
  (partners.services.invite_person, in its transaction). accounts writes the invitation
  email to the outbox in the same transaction.

Registries
- `PARTNER_TABS`: tabs of a partner's page after its own (overview, offers and needs,
  timeline), before the change history; matchmaking registers "Relationships".
- `PERSON_SECTIONS`: sections of a person's page after contact and organisations;
  convenings registers the person's action items.
- `INVITATION_NOTES`: sentences the sign-in invitation adds about the person (convenings:
  the working groups they lead).
- `PERSON_DATA`: what each app holds about a person (`PersonData`), for that person's data
  export and erasure: partners, outbox, matchmaking, convenings, imports, outcomes and
  privacy (the Django admin's log) each register theirs; the privacy app reads them all.
- `INTERACTION_DETAILS`: functions that add to a page of interactions before a timeline
  shows it, one query each for the whole page (capture: the attachments of captured email,
  set as `interaction.attachments`).
- `PAGE_ACTIONS`: links a higher app adds to the head of a lower app's page (the
  `{% page_actions obj %}` tag of partners/templatetags/vcc_hooks.py): followups adds "Add a task"
  to the partner, person, introduction and convening pages.
- `MY_DAY_SECTIONS`: sections of My day (followups) that a higher app provides; a section's
  `context(request, chain_ids)` returns `rows` (at most MY_DAY_ROWS), `count` and `see_all`
  (a URL). The capture app's review queue belongs here.
- `EXPORT_TABLES`: CSV files an app beside or above outcomes adds to the full export
  (outcomes/export.py), each an `ExportTable` naming the models whose rows it holds;
  `NOT_EXPORTED`: models an app keeps out of the export on purpose, with why.
  tests/outcomes/test_export_registry.py checks that every model of the registry is in one or
  the other (imports: import jobs; capture: captured email; followups: tasks;
  intake: forms and their answers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal

listing_changed = Signal()
listings_added = Signal()
interactions_logged = Signal()
commitment_kept = Signal()
observer_appointed = Signal()
person_invited = Signal()


@dataclass(frozen=True)
class PageSection:
    """A part of a lower app's page that a higher app provides.

    `context(request, obj)` returns what `template` shows (`obj`: the page's access object,
    e.g. a partners.permissions.PartnerAccess, or the Person); `template` is included in the
    page with that context added."""

    key: str
    label: str
    template: str
    context: Callable[..., dict]


@dataclass(frozen=True)
class PersonData:
    """What one app holds about a person (the privacy app's export and erasure read these).

    - `models`: the app's models ("app_label.Model") whose text may name the person; the
      erasure replaces their name and contact details in every row of these that holds one.
    - `export(person)`: {section: [row dicts]}, everything the app holds about them.
    - `mentions(person)`: querysets of rows about the person (their interactions, messages to
      them...), whose text the erasure also clears of their first or last name alone.
    - `erase(person)`: the app's own part of the erasure, after the text is scrubbed
      (anonymise the person row, clear addresses, delete a calendar feed...).
    """

    key: str
    models: tuple[str, ...]
    export: Callable[..., dict[str, list[dict]]]
    mentions: Callable[..., list] | None = None
    erase: Callable[..., None] | None = None


PERSON_DATA: dict[str, PersonData] = {}


def register_person_data(data: PersonData) -> None:
    """Add (or replace, as ready() may run twice in tests) an app's personal data."""
    PERSON_DATA[data.key] = data


# What a sign-in invitation says of the person's other roles: each function takes the Person
# and returns sentences (convenings: "You lead the working group ..."). Keyed as registries.
INVITATION_NOTES: dict[str, Callable] = {}

# Each takes a list of Interaction rows (a timeline's page) and sets attributes the timeline
# template shows; keyed by app, as registries.
INTERACTION_DETAILS: dict[str, Callable] = {}

PARTNER_TABS: dict[str, PageSection] = {}
PERSON_SECTIONS: dict[str, PageSection] = {}
MY_DAY_SECTIONS: dict[str, PageSection] = {}

# Links for the head of a page: each function takes (user, obj) and returns a (label, url)
# pair, or None when it has nothing for that object. No function may query the database.
PAGE_ACTIONS: dict[str, Callable] = {}


def register(registry: dict[str, PageSection], section: PageSection) -> None:
    """Add a section (again: the same key replaces it, as ready() may run twice in tests)."""
    registry[section.key] = section


@dataclass(frozen=True)
class ExportTable:
    """One CSV file of the coordinator's full export.

    `rows(user, chain_ids)` yields the rows (lists of cells, in `header`'s order) of the chains
    `chain_ids` the user coordinates, streamed with `iterator()` so its queries grow with the
    chunks, never with the rows. `models`: the labels ("app.Model") of the models whose rows
    the file holds."""

    filename: str
    models: tuple[str, ...]
    header: list[str]
    rows: Callable


EXPORT_TABLES: dict[str, ExportTable] = {}
# "app.Model": why its rows are not in the full export.
NOT_EXPORTED: dict[str, str] = {}


def register_export(table: ExportTable) -> None:
    """Add (or replace, as ready() may run twice in tests) a file of the full export."""
    EXPORT_TABLES[table.filename] = table
