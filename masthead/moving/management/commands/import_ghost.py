from pathlib import Path

from django.core.management.base import CommandError

from masthead.moving.commands import ImportCommand
from masthead.moving.ghost import GhostExport, GhostExportError
from masthead.moving.ghost_tiers import MemberPlans, report_tiers_and_offers
from masthead.moving.images import ImageFolder
from masthead.moving.models import ImportRun
from masthead.moving.report import ImportReport, RecordProblem
from masthead.moving.site import SiteImport
from masthead.moving.sources import article_steps, mapping
from masthead.moving.subscribers import SubscriberOptions, subscriber_steps


class Command(ImportCommand):
    help = "Import a Ghost site's JSON export (Ghost 4 to 6), and optionally its members CSV."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--members", type=Path, help="Ghost's members CSV (Members → Export).")
        parser.add_argument("--images", type=Path, help="Ghost's content/images folder, for the posts' pictures.")
        parser.add_argument("--site-url", default="", help="The old site's address, for pictures kept as links.")
        parser.add_argument(
            "--section",
            action="append",
            default=[],
            metavar="TAG[=SECTION]",
            help="A tag that is a section (repeat it); without any, each post's first tag is its section.",
        )
        parser.add_argument("--default-section", default="", help="Section slug for posts with no section tag.")
        parser.add_argument(
            "--members-posts-free",
            action="store_true",
            help="Members-only posts are free to read here (by default they are for subscribers).",
        )
        parser.add_argument("--post-path", default="/{slug}/", help="Ghost's permalink, e.g. /{year}/{slug}/.")
        SubscriberOptions.add_arguments(parser)

    def handle(self, path: Path, dry_run: bool, batch_size: int, verbosity: int, **options):
        self.check_path(path)
        if options["members"] is not None and not options["members"].is_file():
            raise CommandError(f"{options['members']}: no such file")
        try:
            export = GhostExport(
                path,
                section_tags=mapping(options["section"]),
                default_section=options["default_section"],
                members_are_subscribers=not options["members_posts_free"],
                post_path=options["post_path"],
                site_url=options["site_url"],
            )
        except GhostExportError as error:
            raise CommandError(f"{error} (nothing was imported)") from None
        report = ImportReport(ImportRun.GHOST, str(path), dry_run=dry_run)
        images = ImageFolder(options["images"], "/content/images/", dry_run=dry_run)
        site = SiteImport("ghost", report, images, old_site_url=options["site_url"])
        steps = article_steps(site, export, report, not_articles="Ghost pages (not articles) left out")
        report_tiers_and_offers(export, report)
        if options["members"] is not None:
            try:
                # The export is read again for its tiers and Stripe tables, which GhostExport does not keep.
                member_plans = MemberPlans.from_export(path)
                subscriber_options = SubscriberOptions.from_options(options, member_plans=member_plans)
                steps += subscriber_steps(options["members"], report, subscriber_options)
            except RecordProblem as problem:
                report.finish(ImportRun.FAILED)
                raise CommandError(f"{problem} (nothing was imported)") from None
        self.run_steps(
            report,
            steps,
            batch_size=batch_size,
            verbosity=verbosity,
            on_failure=site.forget,
            stored_files=images.stored,
        )
