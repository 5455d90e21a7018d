"""manage.py generate_network --partners N [--chains K] [--seed S]: a synthetic network for
benchmarks (see devdata.generate)."""

import json

from django.core.management.base import BaseCommand, CommandError

from devdata.generate import generate_network


class Command(BaseCommand):
    help = (
        "Add a synthetic network of N partners (about 3 people and 2 offers or needs each) in K "
        "new value chains, for benchmarks. Prints a JSON summary with counts and seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partners", type=int, required=True, help="How many partners.")
        parser.add_argument("--chains", type=int, default=5, help="How many value chains (5).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (42).")

    def handle(self, *args, partners: int, chains: int, seed: int, **options):
        if partners < 0 or chains < 1:
            raise CommandError("--partners must be 0 or more and --chains 1 or more")
        progress = None
        if options["verbosity"] >= 2:
            progress = lambda message: self.stderr.write(message)  # noqa: E731
        summary = generate_network(partners, chains=chains, seed=seed, progress=progress)
        self.stdout.write(json.dumps(summary))
