"""The magazine's own ads ("house ads"), run by staff for chosen sections and dates."""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class HouseAd(ClusterableModel):
    name = models.CharField(max_length=100, help_text="For staff only.")
    image = models.ForeignKey("content.CreditedImage", on_delete=models.PROTECT, related_name="+")
    link = models.URLField()
    alt_text = models.CharField(max_length=200, help_text="What the ad says, for screen readers.")
    sections = ParentalManyToManyField(
        "content.SectionPage", blank=True, help_text="Leave empty to run in every section."
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("image"),
        FieldPanel("link"),
        FieldPanel("alt_text"),
        FieldPanel("sections"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
    ]

    def __str__(self) -> str:
        return self.name


def running_ads(section=None, now=None):
    now = now or timezone.now()
    ads = HouseAd.objects.filter(starts_at__lte=now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    if section is not None:
        ads = ads.filter(Q(sections=section) | Q(sections__isnull=True))
    return ads.select_related("image").distinct().order_by("pk")


def ad_for(slot_key: str, section=None):
    """One running ad, chosen by the slot's key so the same page shows the same ad (cache friendly)."""
    ads = list(running_ads(section))
    if not ads:
        return None
    return ads[int(hashlib.sha256(slot_key.encode()).hexdigest(), 16) % len(ads)]
