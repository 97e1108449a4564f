"""The shape every importer command shares: --dry-run, batches that commit whole, a progress bar, a report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from masthead.core.job_commands import JobCommand
from masthead.moving.images import StoredFiles
from masthead.moving.indexing import indexed_once_per_batch
from masthead.moving.models import ImportRun
from masthead.moving.report import ImportReport, RecordProblem, Where

# One record's work: returns its outcome ("created", "updated", "unchanged", "skipped").
Step = tuple[Where, str, Callable[[], str]]


class DryRunRollback(Exception):
    pass


class ImportCommand(JobCommand):
    """Runs an importer's steps in batches, each committed whole; a bad record is skipped and named."""

    unit = "batch"
    summary_label = "Records"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Read everything and say what would change; save nothing."
        )
        parser.add_argument("--batch-size", type=int, default=100, help="Records committed together (default 100).")

    def check_path(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")

    def run_steps(self, report: ImportReport, steps: list[Step], *, batch_size: int, verbosity: int,
                  on_failure: Callable[[], None] = lambda: None,
                  stored_files: StoredFiles | None = None) -> None:  # fmt: skip
        """Do each step, `batch_size` at a time in one transaction; a dry run rolls everything back.

        Files the steps stored (`stored_files`) are deleted again when their record or batch rolls back. What the
        batch saved is indexed for search (and Wagtail's references) once, at its end (moving/indexing.py).
        """
        files = stored_files or StoredFiles()
        batches = [steps[start : start + batch_size] for start in range(0, len(steps), max(batch_size, 1))]
        current: list[Where] = []

        def work(batch: list[Step]) -> list[str]:
            outcomes = []
            with (
                files.deleted_if_rolled_back(),
                transaction.atomic(),
                indexed_once_per_batch(index_at_the_end=not report.dry_run),
            ):
                for where, kind, step in batch:
                    current[:] = [where]
                    try:
                        with files.deleted_if_rolled_back(), transaction.atomic():
                            outcomes.append(step())
                    except (RecordProblem, ValidationError) as problem:
                        on_failure()
                        message = "; ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
                        outcomes.append(report.problem(where, message, kind=kind))
            if not transaction.get_connection().in_atomic_block:
                files.committed()
            return outcomes

        status = ImportRun.FINISHED
        try:
            if report.dry_run:
                try:
                    with transaction.atomic():
                        outcomes = self.run_jobs(batches, work, verbosity=verbosity)
                        raise DryRunRollback
                except DryRunRollback:
                    pass
            else:
                outcomes = self.run_jobs(batches, work, verbosity=verbosity)
            if sum(outcomes.values()) < len(steps):
                status = ImportRun.STOPPED
        except Exception as error:
            where = current[0] if current else Where("the first record")
            report.problem(where, f"stopped here: {error}", skipped=True)
            run = report.finish(ImportRun.FAILED)
            self.print_report(report)
            raise CommandError(
                f"The import stopped at {where}: {error}. Batches before it are imported; nothing of its batch "
                f"was. Fix the record and run the command again (import {run.pk})."
            ) from error
        report.finish(status)
        self.print_report(report)

    def print_report(self, report: ImportReport) -> None:
        for line in report.lines():
            self.stdout.write(line)
