"""`manage.py narrate --all`: narrate the archive with the task's own code, resumable after a stop."""

from __future__ import annotations

from django.core.management.base import CommandError

from masthead.audio.models import ArticleNarration
from masthead.audio.tasks import narrate_article
from masthead.core import jobs
from masthead.core.job_commands import JobCommand


class Command(JobCommand):
    unit = "article"
    summary_label = "Narration"
    failed_hint = "Failed articles keep their error in the admin (Narrations)."
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
        # Asked for now: a failed narration's back-off does not apply.
        jobs.requeue(ArticleNarration.objects.filter(article_id__in=article_ids, status=ArticleNarration.FAILED))
        # The task's own work, here, not through the queue: same code, same claims (Ctrl-C: JobCommand's stop).
        self.run_jobs(article_ids, lambda article_id: [narrate_article(article_id)], options["verbosity"])
