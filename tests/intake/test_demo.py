"""The demo's intake form: two answers waiting, one flagged as a likely duplicate; seeding
again adds nothing."""

from devdata.demo import build_demo_network
from devdata.demo_intake import seed_intake_form
from intake.models import IntakeSubmission, SubmissionStatus


def test_the_demo_has_an_intake_form_with_answers_to_review(db):
    build_demo_network()
    assert seed_intake_form() == 2
    assert seed_intake_form() == 0
    waiting = IntakeSubmission.objects.filter(status=SubmissionStatus.REVIEW)
    assert waiting.count() == 2
    duplicate = waiting.get(partner_name="Amatola Forest Products")
    assert duplicate.duplicate.name == "Amatola Forest Products"
    assert waiting.get(partner_name="Qumbu Woodlot Growers").duplicate is None
