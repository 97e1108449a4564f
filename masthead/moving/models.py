"""What moving in remembers: each import's report, and which of our rows each old record became."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One run of an importer (dry or real) and its report, shown to the publisher in the admin."""

    GHOST, WORDPRESS, SUBSCRIBERS = "ghost", "wordpress", "subscribers"
    KINDS = [(GHOST, "Ghost"), (WORDPRESS, "WordPress"), (SUBSCRIBERS, "Subscribers")]
    RUNNING, FINISHED, FAILED, STOPPED = "running", "finished", "failed", "stopped"
    STATUSES = [(RUNNING, "Running"), (FINISHED, "Finished"), (FAILED, "Failed"), (STOPPED, "Stopped")]

    kind = models.CharField(max_length=12, choices=KINDS)
    source = models.CharField(max_length=500, help_text="The file imported, as given to the command.")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=STATUSES, default=RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"article": {"created": 3, "unchanged": 1}, ...}: what happened to each kind of record.
    counts = models.JSONField(default=dict, blank=True)
    # [{"record": "post 5f1…", "line": 12, "message": "…", "skipped": true}, …], the first problems only.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # [{"record": "item 17 …", "line": 390, "message": "kept as links: 1 × embed; left out: 1 × form"}, …]:
    # the first records whose body kept something as a link or left it out (imported, to be looked at).
    record_notes = models.JSONField(default=list, blank=True)
    record_note_count = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.source} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportedRecord(models.Model):
    """An old site's record (a Ghost post, a WordPress author, a member) and the row it became here.

    The fingerprint is a hash of the record as last imported: the same record again changes nothing.
    """

    source = models.CharField(max_length=12)  # "ghost", "wordpress", "subscribers"
    kind = models.CharField(max_length=20)  # "article", "author", "section", "image", "reader", "subscription"
    external_id = models.CharField(max_length=255)
    object_id = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "kind", "external_id"], name="one_row_per_old_record")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} -> {self.object_id}"
