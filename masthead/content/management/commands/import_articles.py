from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.content.importer import ArticleImportError, import_articles, parse_path
from masthead.content.models import SectionPage


class Command(BaseCommand):
    help = "Import articles from exported text pages (a file or a folder of .txt files); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--section", required=True, help="Section slug, e.g. foreign-affairs")
        parser.add_argument("--draft", action="store_true", help="Save as drafts instead of publishing")

    def handle(self, path: Path, section: str, draft: bool, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        section_page = SectionPage.objects.filter(slug=section).first()
        if section_page is None:
            known = ", ".join(SectionPage.objects.values_list("slug", flat=True))
            raise CommandError(f"No section {section!r}; known sections: {known}")
        try:
            articles = import_articles(parse_path(path), section_page, publish=not draft)
        except ArticleImportError as error:
            raise CommandError(f"{error} (nothing was imported)") from None
        for article in articles:
            pages = "1 page" if article.page_count == 1 else f"{article.page_count} pages"
            self.stdout.write(f"Imported {article.url} ({pages})")
