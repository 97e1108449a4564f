"""The one paywall decision: may this reader see this article's body? Every surface asks here.

Gated text is cut on the server: a reader without access gets the teaser (the first paragraphs of
page 1) and nothing else of the body, in any format. User agents, referrers and other headers
never grant access; only the ledger's entitlements (and, if on, the meter) do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.access.entitlements import entitlements_for, request_entitlements
from masthead.access.models import MeteredRead, PaywallSettings

FREE_ARTICLE, ENTITLED, METERED, GATED = "free", "entitled", "metered", "gated"


@dataclass(frozen=True)
class ArticleAccess:
    allowed: bool
    reason: str
    meter_left: int | None = None

    @property
    def gated(self) -> bool:
        return self.reason != FREE_ARTICLE


def paywall_settings(request=None) -> PaywallSettings:
    """The site's paywall settings; with a request, loaded once for the whole request (Wagtail caches it there)."""
    return PaywallSettings.load(request_or_site=request)


def article_is_gated(article, settings: PaywallSettings, today: datetime.date) -> bool:
    """Subscribers-only by the editors' choice, or by the archive age rule."""
    if article.access_level == "subscribers":
        return True
    days = settings.archive_after_days
    return bool(days) and article.date < today - datetime.timedelta(days=days)


def decide_article_access(
    article,
    user,
    *,
    now: datetime.datetime | None = None,
    count_meter: bool = False,
    entitlements=None,
    settings: PaywallSettings | None = None,
) -> ArticleAccess:
    """Whether `user` may read `article`; with count_meter, a metered read is recorded and counted.

    Pass `settings` (and `entitlements`) when deciding for many articles at once, so each is loaded once.
    """
    now = now or timezone.now()
    settings = settings or paywall_settings()
    if not article_is_gated(article, settings, timezone.localdate(now)):
        return ArticleAccess(True, FREE_ARTICLE)
    entitlements = entitlements or entitlements_for(user, now)
    if entitlements.digital:
        return ArticleAccess(True, ENTITLED)
    if settings.meter_enabled and user is not None and user.is_authenticated:
        return metered_access(article, user, settings.meter_limit, now, count_meter)
    return ArticleAccess(False, GATED)


def metered_access(article, user, limit: int, now: datetime.datetime, count: bool) -> ArticleAccess:
    month = timezone.localdate(now).replace(day=1)
    reads = MeteredRead.objects.filter(reader=user, month=month)
    if reads.filter(article_id=article.pk).exists():
        return ArticleAccess(True, METERED, max(limit - reads.count(), 0))
    used = reads.count()
    if used >= limit or not count:
        return ArticleAccess(False, GATED, max(limit - used, 0))
    try:
        with transaction.atomic():
            MeteredRead.objects.create(reader=user, article_id=article.pk, month=month)
    except IntegrityError:
        pass  # the same article opened twice at once counts once
    return ArticleAccess(True, METERED, max(limit - used - 1, 0))


def request_article_access(request, article, *, count_meter: bool = False) -> ArticleAccess:
    """decide_article_access for the request's user, remembered for the rest of the request."""
    memo = request.__dict__.setdefault("_article_access", {})
    if article.pk not in memo:
        memo[article.pk] = decide_article_access(
            article,
            request.user,
            count_meter=count_meter,
            entitlements=request_entitlements(request),
            settings=paywall_settings(request),
        )
    return memo[article.pk]


def offer_subscription_to(request) -> bool:
    """Whether a page should offer this reader a subscription: not once they are entitled to read.

    Decided by entitlements alone, so the page is shared by every reader of the same audience.
    """
    return not request_entitlements(request).digital


def public_text(article, settings: PaywallSettings | None = None) -> str:
    """Text any surface may show anyone: all of a free article, the teaser of a gated one.

    Lists pass `settings` loaded once, so a page of results costs one settings query.
    """
    return "\n".join(public_text_parts(article, settings))


def public_text_parts(article, settings: PaywallSettings | None = None) -> Iterator[str]:
    """`public_text` a piece at a time (the standfirst, then each block), for a reader that stops early."""
    yield article.standfirst
    yield from public_body_parts(article, settings)


def public_body_parts(article, settings: PaywallSettings | None = None) -> Iterator[str]:
    """The blocks of `public_text` below the standfirst: all of a free article's body, a gated one's teaser."""
    if article_is_gated(article, settings or paywall_settings(), timezone.localdate()):
        return article.teaser_text_parts()
    return article.body_text_parts()
