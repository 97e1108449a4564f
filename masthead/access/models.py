"""Paywall settings editors control, and the server-side meter of free reads."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="lock")
class PaywallSettings(BaseGenericSetting):
    archive_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Articles older than this many days are for subscribers only. Leave empty to turn off.",
    )
    meter_enabled = models.BooleanField(
        default=False, help_text="Let logged-in readers without a subscription read a few subscriber articles a month."
    )
    meter_limit = models.PositiveSmallIntegerField(default=3, help_text="Subscriber articles per calendar month.")
    ad_free_for_subscribers = models.BooleanField(
        default=False, help_text="Hide every ad slot from subscribers (the offer says this is coming soon)."
    )
    digital_while_paused = models.BooleanField(
        "Digital access while paused",
        default=True,
        help_text=(
            "Subscribers who pause their subscription keep reading, listening and downloading on screen while "
            "no print copy is mailed. Untick to close the digital edition to them until they resume."
        ),
    )

    panels = [
        FieldPanel("archive_after_days"),
        MultiFieldPanel([FieldPanel("meter_enabled"), FieldPanel("meter_limit")], heading="Meter"),
        FieldPanel("ad_free_for_subscribers"),
        FieldPanel("digital_while_paused"),
    ]

    class Meta:
        verbose_name = "Paywall"


class MeteredRead(models.Model):
    """One subscriber-only article a reader opened on the meter in a calendar month."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article_id = models.PositiveBigIntegerField()
    month = models.DateField(help_text="The first day of the month.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reader", "article_id", "month"], name="one_meter_read")]
