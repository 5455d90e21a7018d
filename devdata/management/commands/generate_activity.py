"""manage.py generate_activity --interactions N --introductions M --relationships R
[--tasks T] [--chain ID ...]: synthetic activity on a generated network (see
devdata.generate_activity)."""

import json

from django.core.management.base import BaseCommand, CommandError

from devdata.generate_activity import generate_activity


class Command(BaseCommand):
    help = (
        "Add synthetic interactions, introductions and relationships between partners of the "
        "same value chain, and tasks for its coordinators, for benchmarks. Prints a JSON "
        "summary with counts and seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interactions", type=int, default=0)
        parser.add_argument("--introductions", type=int, default=0)
        parser.add_argument("--relationships", type=int, default=0)
        parser.add_argument("--tasks", type=int, default=0, help="Tasks for the coordinators.")
        parser.add_argument("--chain", type=int, action="append", help="Only this chain's id.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(
        self, *args, interactions, introductions, relationships, tasks, chain, seed, **options
    ):
        if min(interactions, introductions, relationships, tasks) < 0:
            raise CommandError("counts must be 0 or more")
        try:
            summary = generate_activity(
                interactions,
                introductions,
                relationships,
                chain_ids=chain,
                seed=seed,
                tasks=tasks,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(summary))
