"""The demo's intake form: "Join the Saligna network", open, with two answers waiting for
review (a new grower, and one a likely duplicate of a partner already in the chain), sent
through intake.services like a visitor's. Safe to run again: a second run changes nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from intake import services
from intake.models import IntakeForm, Section
from partners.models import ValueChain

from .demo import SALIGNA

TITLE = "Join the Saligna network"

ANSWERS = [
    {
        "partner_name": "Qumbu Woodlot Growers",
        "kind": "cooperative",
        "region": "Eastern Cape",
        "description": "Twelve smallholders with Saligna woodlots, 40 hectares between them.",
        "first_name": "Nomsa",
        "last_name": "Jali",
        "email": "nomsa@qumbu-woodlots.example",
        "offer_product": "Saligna logs",
        "offer_volume": 300,
        "offer_unit": "m³",
        "offer_period": "year",
    },
    {
        "partner_name": "Amatola Forest Products",
        "region": "Stutterheim",
        "first_name": "Lwazi",
        "last_name": "Ndlovu",
        "email": "lwazi@amatola-forest.example",
    },
]


def seed_intake_form() -> int:
    """Create the demo's intake form and its waiting answers unless there; how many answers
    it added."""
    chain = ValueChain.objects.filter(name=SALIGNA).first()
    if chain is None or IntakeForm.objects.filter(value_chain=chain, title=TITLE).exists():
        return 0
    coordinator = get_user_model().objects.filter(username="coordinator@demo.vcc").first()
    form = services.create_form(
        chain=chain,
        values={
            "title": TITLE,
            "intro": "Grow, saw, make or sell with Saligna? Tell the coordinators who you are "
            "and what you could offer; they will be in touch.",
            "sections": [Section.KIND, Section.REGION, Section.DESCRIPTION, Section.PERSON,
                         Section.OFFER],
        },
        by=coordinator,
    )  # fmt: skip
    for values in ANSWERS:
        services.submit_answers(form=form, values=values)
    return len(ANSWERS)
