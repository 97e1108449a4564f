import time

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.demo.loader import DEFAULT_ARTICLES, DEFAULT_ISSUES, ensure_demo_admin, load_demo


class Command(BaseCommand):
    help = "Load the demo magazine (authors, articles, live issues) unless it is loaded; print the admin login."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="Generated articles to load")
        parser.add_argument("--issues", type=int, default=DEFAULT_ISSUES, help="Most recent issues to publish")

    def handle(self, articles: int, issues: int, **options):
        started = time.monotonic()
        summary = load_demo(articles=articles, issues=issues, progress=self.stdout.write)
        if summary.already_loaded:
            self.stdout.write("Demo content is already loaded.")
        else:
            self.stdout.write(
                f"Demo content loaded in {time.monotonic() - started:.1f} s: {summary.articles} articles "
                f"({summary.multi_page_articles} over several pages), {summary.issues} issues, "
                f"{summary.authors} authors; seed articles imported: {summary.seed_articles}."
            )
        password = ensure_demo_admin()
        shown = password or "(changed since the demo set it; reset it with manage.py changepassword admin)"
        self.stdout.write(f"Admin: {settings.SITE_URL}/admin/  user admin  password {shown}")
