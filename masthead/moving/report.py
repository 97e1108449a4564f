"""An import's report: what was created, updated, left unchanged or skipped, and the problems by record and line."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

from masthead.moving.models import ImportedRecord, ImportRun

PROBLEMS_KEPT = 200  # the report keeps the first problems; the count says how many there were
OUTCOMES = ("created", "updated", "unchanged", "skipped")
KEPT_AS_A_LINK = " kept as a link"  # how html_body and the importers name what became a link (else: left out)


class RecordProblem(Exception):
    """A record the importer cannot take as it is; it is skipped and named in the report."""


@dataclass(frozen=True)
class Where:
    """An old record and where it is in the file, as the report names it: "post 5f1… (line 120)"."""

    record: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.record} (line {self.line})" if self.line else self.record


class ImportReport:
    def __init__(self, kind: str, source: str, *, dry_run: bool):
        self.run = ImportRun.objects.create(kind=kind, source=source[:500], dry_run=dry_run)
        self.dry_run = dry_run
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.problems: list[dict] = []
        self.problem_count = 0
        self.notes: Counter = Counter()
        self.record_notes: list[dict] = []  # the records whose body lost something: what, by record and line
        self.record_note_count = 0

    def count(self, kind: str, outcome: str, number: int = 1) -> str:
        self.counts[kind][outcome] += number
        return outcome

    def problem(self, where: Where, message: str, *, kind: str = "", skipped: bool = True) -> str:
        """Note a problem with a record; a skipped record is counted as such under `kind`."""
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append({"record": where.record, "line": where.line, "message": message, "skipped": skipped})
        if skipped and kind:
            self.count(kind, "skipped")
        return "skipped" if skipped else "noted"

    def note(self, what: str, number: int = 1) -> None:
        if number:
            self.notes[what] += number

    def record_note(self, where: Where, left_out: Counter) -> None:
        """Name a record whose body kept something as a link or left it out, so the publisher can look at it."""
        message = left_out_message(left_out)
        if not message:
            return
        self.record_note_count += 1
        if len(self.record_notes) < PROBLEMS_KEPT:
            self.record_notes.append({"record": where.record, "line": where.line, "message": message})

    @property
    def changed_nothing(self) -> bool:
        return all(set(+outcomes) <= {"unchanged", "skipped"} for outcomes in self.counts.values())

    def lines(self) -> list[str]:
        """The report as the command prints it and the admin shows it."""
        lines = ["Dry run, nothing was saved; this is what a real run would do:" if self.dry_run else "Report:"]
        for kind in sorted(self.counts):
            outcomes = ", ".join(
                f"{self.counts[kind][outcome]} {outcome}" for outcome in OUTCOMES if self.counts[kind][outcome]
            )
            lines.append(f"  {kind}: {outcomes}")
        for what, number in sorted(self.notes.items()):
            lines.append(f"  note: {number} × {what}")
        if self.record_note_count:
            shown = min(self.record_note_count, 20)
            lines.append(f"Kept as links or left out, by record ({self.record_note_count}; the first {shown}):")
            for note in self.record_notes[:shown]:
                lines.append(f"  {Where(note['record'], note['line'])}: {note['message']}")
        if self.problem_count:
            shown = min(self.problem_count, 20)
            lines.append(f"Problems ({self.problem_count}; the first {shown}):")
            for problem in self.problems[:shown]:
                where = Where(problem["record"], problem["line"])
                action = "skipped" if problem["skipped"] else "imported anyway"
                lines.append(f"  {where}: {problem['message']} ({action})")
        if self.changed_nothing and not self.dry_run:
            lines.append("Nothing changed: everything was imported already.")
        return lines

    def finish(self, status: str = ImportRun.FINISHED) -> ImportRun:
        run = self.run
        run.status = status
        run.finished_at = timezone.now()
        run.counts = {kind: dict(+outcomes) for kind, outcomes in self.counts.items()}
        run.problems = self.problems
        run.problem_count = self.problem_count
        run.record_notes = self.record_notes
        run.record_note_count = self.record_note_count
        run.summary = "\n".join(self.lines())
        run.save()
        return run


def left_out_message(left_out: Counter) -> str:
    """ "kept as links: 1 × embed, 2 × picture; left out: 1 × script", from html_body's and the cards' counts."""
    links, dropped = [], []
    for kind, number in sorted((+left_out).items()):
        if kind.endswith(KEPT_AS_A_LINK):
            links.append(f"{number} × {kind.removesuffix(KEPT_AS_A_LINK)}")
        else:
            dropped.append(f"{number} × {kind}")
    parts = [f"kept as links: {', '.join(links)}"] if links else []
    return "; ".join(parts + ([f"left out: {', '.join(dropped)}"] if dropped else []))


def fingerprint(*parts) -> str:
    """A hash of a record's parts as imported: equal when nothing in the record changed."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class RememberedRecords:
    """Which of our rows each old record of one source became, read once a run (one query, not one a record)."""

    def __init__(self, source: str):
        self.source = source
        self.by_key: dict[tuple[str, str], ImportedRecord] | None = None

    def get(self, kind: str, external_id: str) -> ImportedRecord | None:
        if self.by_key is None:
            self.by_key = {(r.kind, r.external_id): r for r in ImportedRecord.objects.filter(source=self.source)}
        return self.by_key.get((kind, external_id[:255]))

    def remember(self, kind: str, external_id: str, object_id: int, print_: str) -> None:
        """Record which of our rows an old record became, and its fingerprint, for the next run."""
        record = self.get(kind, external_id)
        if record is None:
            record = ImportedRecord.objects.create(
                source=self.source, kind=kind, external_id=external_id[:255], object_id=object_id, fingerprint=print_
            )
            self.by_key[(kind, record.external_id)] = record
        else:
            record.object_id, record.fingerprint, record.imported_at = object_id, print_, timezone.now()
            record.save(update_fields=["object_id", "fingerprint", "imported_at"])

    def forget(self) -> None:
        """After a rollback: the rows may no longer be as remembered here; read them again when next asked."""
        self.by_key = None
