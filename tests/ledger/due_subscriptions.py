"""Many subscriptions due for renewal on the sandbox gateway, written straight into the tables in bulk.

Run in a child process against the database in DATABASE_URL / DATA_DIR:
    python -m tests.ledger.due_subscriptions 2000
Each subscriber has their own gateway customer and a working card; every period ended an hour ago.
"""

from __future__ import annotations

import datetime
import os
import sys


def create_due_subscriptions(count: int, *, plan_slug: str = "digital-monthly", batch: int = 2000) -> None:
    """`count` readers on `plan_slug`, each a month into a subscription whose period ended an hour ago."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from masthead.subscriptions.models import GatewayCustomer, Plan, SandboxPaymentMethod, Subscription, add_months

    # A test that flushed the database (transactional tests) takes the launch plans with it.
    plan, _ = Plan.objects.get_or_create(
        slug=plan_slug, defaults={"name": "Digital, monthly", "interval": Plan.MONTHLY, "price_cents": 900}
    )
    period_end = timezone.now() - datetime.timedelta(hours=1)
    period_start = add_months(period_end, -1)
    User = get_user_model()
    for first in range(0, count, batch):
        numbers = range(first, min(first + batch, count))
        with transaction.atomic():
            readers = User.objects.bulk_create(
                User(username=f"due{n}", email=f"due{n}@example.com", password="!") for n in numbers
            )
            SandboxPaymentMethod.objects.bulk_create(
                SandboxPaymentMethod(
                    ref=f"sandbox_pm_due{n}", customer_ref=f"sandbox_cus_due{n}", brand="Visa", last4="4242"
                )
                for n in numbers
            )
            GatewayCustomer.objects.bulk_create(
                GatewayCustomer(
                    reader=reader,
                    gateway="sandbox",
                    customer_ref=f"sandbox_cus_due{n}",
                    payment_method_ref=f"sandbox_pm_due{n}",
                    card_brand="Visa",
                    card_last4="4242",
                )
                for n, reader in zip(numbers, readers, strict=True)
            )
            Subscription.objects.bulk_create(
                Subscription(
                    reader=reader,
                    plan=plan,
                    gateway="sandbox",
                    started_at=period_start,
                    current_period_start=period_start,
                    current_period_end=period_end,
                )
                for reader in readers
            )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    create_due_subscriptions(int(sys.argv[1]))
