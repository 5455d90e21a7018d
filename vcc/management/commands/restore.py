"""`manage.py restore FILE`: replace the database's contents with a backup (vcc/backups.py)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vcc.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace every row of the database with those of a backup made by `manage.py "
        "backup`. Stop the web server and the workers first. Asks for confirmation "
        "unless --yes is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file (var/backups/...).")
        parser.add_argument(
            "--yes", action="store_true", help="Restore without asking (for scripts)."
        )

    def handle(self, *args, file: Path, yes: bool = False, **options):
        name = connection.settings_dict["NAME"]
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"Restoring replaces every row of the database {name}. "
                    "Run it again with --yes to go ahead."
                )
            answer = input(
                f"This replaces every row of the database {name} with the backup "
                f"{file.name}. Type 'yes' to go ahead: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Not restored: the database is unchanged.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {name}."))
