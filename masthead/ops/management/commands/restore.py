from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.ops.backups import RestoreRefused, restore


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty database, media storage and file folders."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by manage.py backup")

    def handle(self, folder: str, **options):
        try:
            summary = restore(Path(folder))
        except RestoreRefused as refusal:
            raise CommandError(f"Nothing was restored: {refusal}") from None
        counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
        self.stdout.write(f"Restored {summary.folder}: {counts}; {summary.files} files.")
