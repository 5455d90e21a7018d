"""`manage.py backup`: the whole database into var/backups/ (see vcc/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcc.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole database: pg_dump -Fc on PostgreSQL, SQLite's online backup "
        "otherwise, to var/backups/vcc-YYYYMMDD-HHMMSS.dump (or .sqlite3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Write the backup here instead.")

    def handle(self, *args, output=None, **options):
        try:
            path = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path} ({size:,} bytes)."))
