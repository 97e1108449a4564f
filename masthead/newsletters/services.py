"""Mailings the site prepares itself: each issue's email, section alerts, a newsletter's send."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.newsletters.models import Newsletter, Recipient, Send
from masthead.newsletters.sending import request_send


class AlreadySent(Exception):
    """This mailing has been asked for already; it goes out once."""


def issue_email(issue) -> Send:
    """The issue's one mailing, made as a draft the first time it is asked for (editors may change its words)."""
    title = f": {issue.title}" if issue.title else ""
    return get_or_create_send(
        f"issue:{issue.pk}",
        kind=Send.ISSUE,
        issue=issue,
        subject=f"{settings.MAGAZINE_NAME}, {issue.cover_date:%B %-d, %Y}{title}",
        preheader="The new issue is out: its contents, and the EPUB and PDF to take with you.",
    )


def send_issue_email(issue, *, now: datetime.datetime | None = None) -> Send:
    """The issue was published: its email goes out, once, however often it is published again."""
    send = issue_email(issue)
    request_send(send, now=now)
    return send


def newsletter_send(newsletter: Newsletter) -> Send:
    return get_or_create_send(
        f"newsletter:{newsletter.pk}",
        kind=Send.NEWSLETTER,
        newsletter=newsletter,
        subject=newsletter.subject,
        preheader=newsletter.preheader,
    )


def send_newsletter(newsletter: Newsletter, *, now: datetime.datetime | None = None) -> Send:
    """Send the newsletter to its segment; a second press does nothing (raises AlreadySent)."""
    send = newsletter_send(newsletter)
    Send.objects.filter(pk=send.pk, requested_at__isnull=True).update(
        subject=newsletter.subject, preheader=newsletter.preheader
    )
    if not request_send(send, now=now):
        raise AlreadySent(send)
    return send


def alert_followers(article, *, now: datetime.datetime | None = None) -> Send | None:
    """A new article: its section's followers hear of it, once (nothing is made when nobody follows the section)."""
    section_id = article.get_parent().pk
    followers = Recipient.objects.filter(alert_sections=section_id, confirmed_at__isnull=False, suppressed_at=None)
    if not followers.exists():
        return None
    send = get_or_create_send(
        f"alert:{article.pk}",
        kind=Send.ALERT,
        article=article,
        subject=f"New in {article.get_parent().title}: {article.title}"[:200],
        preheader=(article.standfirst or "")[:200],
    )
    request_send(send, now=now or timezone.now())
    return send


def get_or_create_send(key: str, **fields) -> Send:
    try:
        with transaction.atomic():
            return Send.objects.get_or_create(key=key, defaults=fields)[0]
    except IntegrityError:  # made at the same moment by another request
        return Send.objects.get(key=key)


def update_draft(send: Send, *, subject: str, preheader: str) -> bool:
    """Change the words of a mailing not yet asked for; False once it has been sent or is being sent."""
    return bool(Send.objects.filter(pk=send.pk, requested_at__isnull=True).update(subject=subject, preheader=preheader))
