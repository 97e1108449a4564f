from pathlib import Path

from django.core.management.base import CommandError

from masthead.moving.commands import ImportCommand
from masthead.moving.ghost import GhostExportError
from masthead.moving.ghost_tiers import MemberPlans
from masthead.moving.models import ImportRun
from masthead.moving.report import ImportReport, RecordProblem
from masthead.moving.subscribers import SubscriberOptions, subscriber_steps


class Command(ImportCommand):
    help = (
        "Import readers and subscriptions from a CSV (our columns, or Ghost's members export); paying "
        "subscribers keep their period and renew on the card already at the gateway."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        SubscriberOptions.add_arguments(parser)
        parser.add_argument(
            "--ghost-export",
            type=Path,
            metavar="EXPORT.json",
            help="The Ghost site's JSON export: a member's tier (the CSV's tiers column) then chooses their plan.",
        )

    def handle(self, path: Path, dry_run: bool, batch_size: int, verbosity: int, **options):
        self.check_path(path)
        member_plans = None
        if options["ghost_export"] is not None:
            self.check_path(options["ghost_export"])
            try:
                member_plans = MemberPlans.from_export(options["ghost_export"])
            except GhostExportError as error:
                raise CommandError(f"{error} (nothing was imported)") from None
        report = ImportReport(ImportRun.SUBSCRIBERS, str(path), dry_run=dry_run)
        try:
            steps = subscriber_steps(path, report, SubscriberOptions.from_options(options, member_plans=member_plans))
        except RecordProblem as problem:
            report.finish(ImportRun.FAILED)
            raise CommandError(f"{problem} (nothing was imported)") from None
        self.run_steps(report, steps, batch_size=batch_size, verbosity=verbosity)
