from pathlib import Path

from django.core.management.base import CommandError

from masthead.moving.commands import ImportCommand
from masthead.moving.images import ImageFolder
from masthead.moving.models import ImportRun
from masthead.moving.report import ImportReport
from masthead.moving.site import SiteImport
from masthead.moving.sources import article_steps, mapping
from masthead.moving.wordpress import WordPressExportError, WxrExport


class Command(ImportCommand):
    help = "Import a WordPress WXR export (Tools → Export → All content): posts, authors, categories, pictures."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--uploads", type=Path, help="WordPress's wp-content/uploads folder, for the pictures.")
        parser.add_argument(
            "--section",
            action="append",
            default=[],
            metavar="CATEGORY[=SECTION]",
            help="A category that is a section (repeat it); without any, each post's first category is its section.",
        )
        parser.add_argument("--default-section", default="", help="Section slug for posts in no section category.")
        parser.add_argument(
            "--subscribers-category",
            action="append",
            default=[],
            metavar="CATEGORY",
            help="Posts in this category are for subscribers (as Leaky Paywall or MemberPress restricted them).",
        )

    def handle(self, path: Path, dry_run: bool, batch_size: int, verbosity: int, **options):
        self.check_path(path)
        try:
            export = WxrExport(
                path,
                section_categories=mapping(options["section"]),
                default_section=options["default_section"],
                subscriber_categories=set(options["subscribers_category"]),
            )
        except WordPressExportError as error:
            raise CommandError(f"{error} (nothing was imported)") from None
        report = ImportReport(ImportRun.WORDPRESS, str(path), dry_run=dry_run)
        images = ImageFolder(options["uploads"], "/wp-content/uploads/", dry_run=dry_run)
        site = SiteImport("wordpress", report, images, old_site_url=export.site_url)
        steps = article_steps(site, export, report, not_articles="pages, attachments and other items left out")
        for login, posts in export.unknown_coauthors.items():
            report.note(f"Co-Authors Plus bylines naming nobody in the export (left out): {login}", posts)
        comments, posts = export.comment_counts()
        report.note(f"WordPress comments not imported (approved ones, on {posts} posts)", comments)
        self.run_steps(
            report,
            steps,
            batch_size=batch_size,
            verbosity=verbosity,
            on_failure=site.forget,
            stored_files=images.stored,
        )
