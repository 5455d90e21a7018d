"""The benchmark's activity generator: interactions, introductions and relationships."""

import json

import pytest
from django.core.management import call_command

from matchmaking.models import OPEN, Introduction
from partners.models import Interaction, InteractionPartner, Participation, Relationship

pytestmark = pytest.mark.django_db


def test_activity_between_partners_of_one_chain(capsys):
    call_command("generate_network", "--partners", "150", "--chains", "2")
    capsys.readouterr()
    call_command(
        "generate_activity",
        "--interactions",
        "500",
        "--introductions",
        "120",
        "--relationships",
        "200",
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["interactions"] == Interaction.objects.count() == 500
    assert InteractionPartner.objects.count() == summary["interaction_partners"] >= 500
    assert Introduction.objects.count() == 120 and Relationship.objects.count() == 200
    members = set(Participation.objects.values_list("partner_id", "value_chain_id"))
    for intro in Introduction.objects.all():
        assert intro.partner_a_id != intro.partner_b_id
        assert (intro.partner_a_id, intro.value_chain_id) in members
        assert (intro.partner_b_id, intro.value_chain_id) in members
    open_pairs = [
        tuple(sorted(p))
        for p in Introduction.objects.filter(status__in=OPEN).values_list(
            "partner_a_id", "partner_b_id"
        )
    ]
    assert len(open_pairs) == len(set(open_pairs))
    # New rows after generation get fresh ids.
    Relationship.objects.create(
        source_id=Relationship.objects.first().target_id,
        target_id=Relationship.objects.first().source_id,
        kind="membership",
    )


def test_activity_needs_a_network():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_activity", "--interactions", "5")
