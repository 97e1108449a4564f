import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.ops.backups import backup


class Command(BaseCommand):
    help = "Back up the database, the media storage and the narrations' and editions' files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The new folder (default: BACKUP_DIR/<date and time>)")

    def handle(self, output: str | None, **options):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
        summary = backup(Path(output) if output else Path(settings.BACKUP_DIR) / stamp)
        counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
        self.stdout.write(f"Backed up to {summary.folder}: {counts}; {summary.files} files.")
