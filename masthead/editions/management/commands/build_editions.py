"""`manage.py build_editions --all`: build every issue's EPUB and PDF with the task's own code, resumable."""

from __future__ import annotations

import re

from django.core.management.base import CommandError

from masthead.core.job_commands import JobCommand
from masthead.editions.builds import ensure_edition, start_retries_afresh
from masthead.editions.models import EditionFile, Issue

ISSUE = re.compile(r"^(\d{4})/(\d{1,2})$")


class Command(JobCommand):
    unit = "issue"
    summary_label = "Edition files"
    failed_hint = "Failed files show their error in the admin's list of issues; any older file is still served."
    help = (
        "Build the EPUB and PDF of published issues whose files are missing or out of date (newest first). "
        "Stopping is safe: a second run skips what is done and carries on."
    )

    def add_arguments(self, parser):
        parser.add_argument("issues", nargs="*", help="Only these issues, as YEAR/NUMBER (e.g. 2024/6)")
        parser.add_argument("--all", action="store_true", help="Every published issue")
        parser.add_argument("--force", action="store_true", help="Build again even files that are up to date")

    def handle(self, *args, issues: list[str], all: bool, force: bool, **options):
        if not issues and not all:
            raise CommandError("Name issues as YEAR/NUMBER (e.g. 2024/6), or pass --all for every published issue.")
        issue_ids = self.issue_ids(issues, all)
        start_retries_afresh(*issue_ids)  # asked for now: a failed file's back-off does not apply

        def build(issue_id: int):
            # The task's own function, one file at a time: a stop keeps every file finished before it.
            return (ensure_edition(issue_id, file_format, force=force).result for file_format, _ in EditionFile.FORMATS)

        self.run_jobs(issue_ids, build, options["verbosity"])

    def issue_ids(self, names: list[str], every: bool) -> list[int]:
        live = Issue.objects.filter(live=True).order_by("-cover_date")
        if every:
            return list(live.values_list("pk", flat=True))
        ids = []
        for name in names:
            match = ISSUE.match(name)
            if not match:
                raise CommandError(f"“{name}” is not YEAR/NUMBER, e.g. 2024/6.")
            issue_id = live.filter(year=int(match[1]), number=int(match[2])).values_list("pk", flat=True).first()
            if issue_id is None:
                raise CommandError(f"No published issue {name}.")
            ids.append(issue_id)
        return ids
