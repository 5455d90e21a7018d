"""manage.py seed_demo: load the demo network (two value chains, about 60 partners) and the demo
sign-ins. Safe to run again: a second run changes nothing."""

from django.core.management.base import BaseCommand

from devdata.demo import DEMO_PASSWORD, SIGN_INS, build_demo_network
from devdata.demo_intake import seed_intake_form
from devdata.demo_mail import capture_demo_mail
from matchmaking.models import Suggestion
from matchmaking.suggestions import recompute_all


class Command(BaseCommand):
    help = "Load the demo network and its sign-ins, unless they are already there."

    def handle(self, *args, **options):
        summary = build_demo_network()
        counts = ", ".join(
            f"{v} {k.replace('_', ' ')}" for k, v in summary.items() if k != "created"
        )
        if summary["created"] or not Suggestion.objects.exists():
            # The demo's matchmaking suggestions, as the nightly recompute would make them.
            suggestions = recompute_all()
            counts += f", {suggestions} match suggestions"
        captured = capture_demo_mail()  # the review queue's and a timeline's captured email
        if captured:
            counts += f", {captured} captured emails"
        answers = seed_intake_form()  # an intake form with answers in its review queue
        if answers:
            counts += f", {answers} intake answers"
        if summary["created"]:
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo network: {counts}."))
        else:
            self.stdout.write(f"The demo network is already there ({counts}); nothing changed.")
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for username, role, sees in SIGN_INS:
            self.stdout.write(f"  {role:<20} {username:<22} {sees}")
