"""The newsletters app reacts to signals: a published issue sends its email; a new article alerts its
section's followers; a provider's webhook (through django-anymail) reports bounces and complaints."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from wagtail.signals import page_published, published


def issue_published(sender, instance, **kwargs) -> None:
    from masthead.newsletters.services import send_issue_email

    if settings.NEWSLETTER_ISSUE_EMAIL_ON_PUBLISH:
        send_issue_email(instance)


def article_published(sender, instance, revision=None, **kwargs) -> None:
    from masthead.content.models import ArticlePage
    from masthead.newsletters.services import alert_followers

    if not settings.NEWSLETTER_SECTION_ALERTS or not isinstance(instance, ArticlePage):
        return
    # News only: an archive article imported or republished is not; an edit finds the alert already made.
    if instance.date < timezone.localdate() - datetime.timedelta(days=2):
        return
    alert_followers(instance)


def provider_event(sender, event, esp_name, **kwargs) -> None:
    from masthead.newsletters.bounces import record_tracking_event

    record_tracking_event(event)


def connect() -> None:
    from anymail.signals import tracking

    from masthead.editions.models import Issue

    # `published` is a plain signal: its sender is the class itself (as the editions app connects it).
    published.connect(issue_published, sender=Issue, dispatch_uid="newsletters_issue_email")
    page_published.connect(article_published, dispatch_uid="newsletters_section_alerts")
    tracking.connect(provider_event, dispatch_uid="newsletters_provider_events")
