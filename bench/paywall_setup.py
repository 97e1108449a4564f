"""For bench/web.sh: a subscriber's and a refunded reader's sessions, and two demo articles of like
length, one free, one subscribers-only and narrated.

Prints shell assignments (eval'd by web.sh):
    SUBSCRIBER_COOKIE=sessionid=...   REFUNDED_COOKIE=sessionid=...
    FREE_ARTICLE=/section/slug/       GATED_ARTICLE=/section/slug/
The subscriber pays like any reader: Digital monthly, the sandbox's 4242 card, through do_subscribe;
the refunded reader did the same and then claimed the money-back guarantee. The subscriber-only
article is narrated by Piper, as the worker would (its page then carries the audio player, or the
"subscribe to listen" offer). Safe to run again: readers, subscriptions and the narration are
reused, only the sessions are new.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from masthead.audio import queries as audio_queries
    from masthead.audio import services as audio_services
    from masthead.content.models import FREE, SUBSCRIBERS, ArticlePage
    from masthead.subscriptions.gateways import CardInput
    from masthead.subscriptions.models import Plan, Subscription
    from masthead.subscriptions.queries import live_subscription
    from masthead.subscriptions.services import do_refund_under_guarantee, do_subscribe

    def paying_reader(username: str):
        reader, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if not Subscription.objects.filter(reader=reader).exists():
            do_subscribe(
                reader=reader,
                plan=Plan.objects.get(slug="digital-monthly"),
                card=CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123"),
                checkout_token=username,  # a checkout idempotency token, not a secret
            )
        return reader

    def session_cookie(reader) -> str:
        client = Client()
        client.force_login(reader)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    subscriber = paying_reader("bench-subscriber")
    refunded = paying_reader("bench-refunded")
    if live_subscription(refunded) is not None:
        do_refund_under_guarantee(live_subscription(refunded), actor="reader")

    # Single-page articles of the same number of blocks, so the two render the same amount of body.
    def single_page(level: str) -> list[ArticlePage]:
        articles = ArticlePage.objects.live().filter(access_level=level).order_by("pk")
        return [article for article in articles if article.page_count == 1]

    gated = max(single_page(SUBSCRIBERS), key=lambda article: len(article.body))
    free = min(single_page(FREE), key=lambda article: abs(len(article.body) - len(gated.body)))
    if audio_queries.audio_of(gated) is None:
        print(f"narrating {gated.url} with Piper (once per data folder)", file=sys.stderr)
        audio_services.ensure_audio(gated.pk)
    print(f"SUBSCRIBER_COOKIE={session_cookie(subscriber)}")
    print(f"REFUNDED_COOKIE={session_cookie(refunded)}")
    print(f"FREE_ARTICLE={free.url}")
    print(f"GATED_ARTICLE={gated.url}")


if __name__ == "__main__":
    main()
