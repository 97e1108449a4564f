"""For bench/web.sh: a subscriber's session, and two demo articles of like length, one free, one subscribers-only.

Prints shell assignments (eval'd by web.sh):
    SUBSCRIBER_COOKIE=sessionid=...   FREE_ARTICLE=/section/slug/   GATED_ARTICLE=/section/slug/
The subscriber pays like any reader: Digital monthly, the sandbox's 4242 card, through do_subscribe.
Safe to run again: the reader and the subscription are reused, only the session is new.
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

    from masthead.content.models import FREE, SUBSCRIBERS, ArticlePage
    from masthead.subscriptions.gateways import CardInput
    from masthead.subscriptions.models import Plan
    from masthead.subscriptions.queries import live_subscription
    from masthead.subscriptions.services import do_subscribe

    reader, _ = get_user_model().objects.get_or_create(
        username="bench-subscriber", defaults={"email": "bench-subscriber@example.com"}
    )
    if live_subscription(reader) is None:
        do_subscribe(
            reader=reader,
            plan=Plan.objects.get(slug="digital-monthly"),
            card=CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123"),
            checkout_token="bench",  # noqa: S106 (a checkout idempotency token, not a secret)
        )
    client = Client()
    client.force_login(reader)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    # Single-page articles of the same number of blocks, so the two render the same amount of body.
    def single_page(level: str) -> list[ArticlePage]:
        articles = ArticlePage.objects.live().filter(access_level=level).order_by("pk")
        return [article for article in articles if article.page_count == 1]

    gated = max(single_page(SUBSCRIBERS), key=lambda article: len(article.body))
    free = min(single_page(FREE), key=lambda article: abs(len(article.body) - len(gated.body)))
    print(f"SUBSCRIBER_COOKIE={cookie}")
    print(f"FREE_ARTICLE={free.url}")
    print(f"GATED_ARTICLE={gated.url}")


if __name__ == "__main__":
    main()
