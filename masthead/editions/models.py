"""Numbered magazine issues and their ordered tables of contents."""

from __future__ import annotations

import datetime

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


class IssueArticle(Orderable):
    """An article's place in an issue's table of contents; an article is in at most one issue."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="entries")
    article = models.OneToOneField("content.ArticlePage", on_delete=models.CASCADE, related_name="issue_entry")

    panels = [FieldPanel("article")]
