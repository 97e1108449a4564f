"""`manage.py narrate --all`: narrate the archive with the task's own code, resumable after a stop."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from masthead.audio.tasks import ensure_article_audio


class Command(BaseCommand):
    help = (
        "Narrate published articles whose audio is missing or out of date (newest first). "
        "Stopping is safe: a second run skips what is done and carries on."
    )

    def add_arguments(self, parser):
        parser.add_argument("article_ids", nargs="*", type=int, help="Only these articles")
        parser.add_argument("--all", action="store_true", help="Every published article")

    def handle(self, *args, article_ids: list[int], all: bool, **options):
        from masthead.content.models import ArticlePage

        if not article_ids and not all:
            raise CommandError("Name articles by id, or pass --all for the whole archive.")
        if all:
            article_ids = list(
                ArticlePage.objects.live().order_by("-date", "-first_published_at", "-pk").values_list("pk", flat=True)
            )
        outcomes: Counter[str] = Counter()
        progress = tqdm(article_ids, unit="article", disable=options["verbosity"] == 0, file=self.stderr._out)
        try:
            for article_id in progress:
                # .call() runs the task's function here, not through the queue: same code, same claims.
                outcomes[ensure_article_audio.call(article_id)] += 1
                progress.set_postfix(outcomes, refresh=False)
        except KeyboardInterrupt:
            self.stdout.write(self.style.WARNING("Stopped. Run the command again to carry on where it stopped."))
        finally:
            progress.close()
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(f"Narration: {summary}.")
        if outcomes.get("failed"):
            self.stdout.write(self.style.WARNING("Failed articles keep their error in the admin (Narrations)."))
