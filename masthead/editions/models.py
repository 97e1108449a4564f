"""Numbered magazine issues, their ordered tables of contents and their digital edition files."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin
from wagtail.search import index

from masthead.core.jobs import Job
from masthead.editions import conf


class Issue(DraftStateMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """One numbered issue of the magazine (24 a year by default), published like a page."""

    volume = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="The issue's number within its year.")
    year = models.PositiveSmallIntegerField(editable=False)
    cover_date = models.DateField(unique=True)
    title = models.CharField(max_length=200, blank=True, help_text="The issue's theme, if it has one.")
    cover_image = models.ForeignKey(
        "content.CreditedImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="issue")

    panels = [
        FieldRowPanel([FieldPanel("volume"), FieldPanel("number"), FieldPanel("cover_date")]),
        FieldPanel("title"),
        FieldPanel("cover_image"),
        InlinePanel("entries", label="Table of contents"),
    ]
    search_fields = [index.SearchField("title"), index.FilterField("cover_date")]

    class Meta:
        ordering = ["-cover_date"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="one_issue_number_per_year")]

    def __str__(self) -> str:
        label = f"Vol. {self.volume}, No. {self.number} ({self.cover_date:%B %-d, %Y})"
        return f"{label}: {self.title}" if self.title else label

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        if self.cover_date:
            self.year = self.cover_date.year
            clash = Issue.objects.filter(year=self.year, number=self.number).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"number": f"{self.year} already has an issue number {self.number}."})

    def save(self, *args, **kwargs):
        self.year = self.cover_date.year
        super().save(*args, **kwargs)

    @property
    def close_date(self) -> datetime.date:
        """The last day changes (such as a new print address) reach this issue's print run."""
        return self.cover_date - datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS)

    def get_absolute_url(self) -> str:
        return reverse("issue", args=[self.year, self.number])

    def edition_status(self) -> str:
        """The digital edition's files as the admin's list of issues shows them (prefetch edition_files)."""
        files = {edition.format: edition for edition in self.edition_files.all()}
        parts = []
        for file_format, label in EditionFile.FORMATS:
            edition = files.get(file_format)
            if edition is None:
                parts.append(f"{label}: not built")
            elif edition.status == EditionFile.FAILED:
                parts.append(f"{label}: {edition.state_for_staff.lower()} ({edition.error[:80]})")
            else:
                parts.append(f"{label}: {edition.get_status_display().lower()}")
        return "; ".join(parts)

    edition_status.short_description = "Digital edition"


class IssueArticle(Orderable):
    """An article's place in an issue's table of contents; an article is in at most one issue."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="entries")
    article = models.OneToOneField("content.ArticlePage", on_delete=models.CASCADE, related_name="issue_entry")

    panels = [FieldPanel("article")]


class EditionFile(Job):
    """One file of an issue's digital edition (its EPUB or its PDF) and the state of the job (core.jobs) building it.

    `content_hash` says what the file on disk was built from (the issue, its articles, their images
    and the renderer's version), so an unchanged issue is never built twice. The file keeps being
    served while a newer one is built; files are named after their hash and the job's claim token,
    so a stale worker never overwrites its successor's file.
    """

    EPUB, PDF = "epub", "pdf"
    FORMATS = [(EPUB, "EPUB"), (PDF, "PDF")]
    CONTENT_TYPES = {EPUB: "application/epub+zip", PDF: "application/pdf"}
    FIRST_RETRY_AFTER = datetime.timedelta(minutes=5)  # then 20 minutes, 80 minutes and 5 hours 20
    GIVE_UP_HINT = "publish the issue again or run build_editions"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="edition_files")
    format = models.CharField(max_length=4, choices=FORMATS)
    file_name = models.CharField(max_length=200, blank=True, help_text="Relative to EDITIONS_ROOT.")
    file_size = models.PositiveBigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["issue", "format"]
        constraints = [models.UniqueConstraint(fields=["issue", "format"], name="one_edition_file_per_format")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} of {self.issue} ({self.status})"

    @property
    def has_file(self) -> bool:
        return bool(self.file_name)

    @property
    def path(self) -> Path:
        """The file on this machine's disk (GATED_FILES_STORAGE=disk only; the S3 storage has no paths)."""
        return Path(conf.editions_storage().path(self.file_name))

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]
