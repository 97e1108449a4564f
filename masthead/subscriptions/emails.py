"""The emails the ledger sends, as background tasks taking ids; each sent email is logged on the subscription.

Each email has a name for what it is about (`once`): the welcome, receipt 42, the reminder for
one period end. A task finds it in the event log before sending, so a task run again (a retry,
a worker that died after sending) does not send the same email twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import task

from masthead.subscriptions.models import GatewayCustomer, Receipt, Subscription, SubscriptionEvent


def send_to_reader(
    subscription: Subscription,
    template: str,
    subject: str,
    context: dict | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    *,
    once: str,
) -> bool:
    """Send `template` to the subscription's reader unless the email named `once` was sent already."""
    sent = SubscriptionEvent.objects.filter(subscription=subscription, kind="email_sent", detail__email=once)
    if sent.exists():
        return False
    context = {
        "subscription": subscription,
        "reader": subscription.reader,
        "site_url": settings.SITE_URL,
        "magazine_name": settings.MAGAZINE_NAME,
        **(context or {}),
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.MAGAZINE_NAME}: {subject}",
        body=render_to_string(f"subscriptions/email/{template}.txt", context),
        to=[subscription.reader.email],
    )
    for attachment in attachments or []:
        message.attach(*attachment)
    message.send()
    from masthead.subscriptions.services.ledger import record_event  # the ledger's writer, which sends these

    record_event(subscription, "email_sent", "system:mail", template=template, email=once)
    return True


def load(subscription_id: int) -> Subscription:
    return Subscription.objects.select_related("reader", "plan", "next_plan").get(pk=subscription_id)


@task()
def send_welcome(subscription_id: int) -> None:
    subscription = load(subscription_id)
    subject = "your free trial has begun" if subscription.on_trial else "welcome, subscriber"
    send_to_reader(subscription, "welcome", subject, once="welcome")


@task()
def send_receipt(receipt_id: int) -> None:
    receipt = Receipt.objects.select_related("payment__subscription__reader", "payment__subscription__plan").get(
        pk=receipt_id
    )
    subscription = receipt.payment.subscription
    send_to_reader(
        subscription,
        "receipt",
        f"receipt {receipt.number}",
        {"receipt": receipt, "payment": receipt.payment},
        once=f"receipt:{receipt.pk}",
    )


@task()
def send_renewal_reminder(subscription_id: int) -> None:
    subscription = load(subscription_id)
    send_to_reader(
        subscription,
        "renewal_reminder",
        "your subscription renews in a week",
        once=f"renewal_reminder:{subscription.current_period_end.isoformat()}",
    )


@task()
def send_trial_reminder(subscription_id: int) -> None:
    subscription = load(subscription_id)
    card = GatewayCustomer.objects.filter(reader=subscription.reader, gateway=subscription.gateway).first()
    ends = date_format(timezone.localtime(subscription.trial_ends_at), "F j")
    subject = f"your free trial ends on {ends}"
    send_to_reader(
        subscription,
        "trial_ending",
        subject,
        {"card": card},
        once=f"trial_ending:{subscription.trial_ends_at.isoformat()}",
    )


@task()
def send_payment_failed(subscription_id: int, payment_id: int | None = None) -> None:
    """About one failed renewal charge (named when enqueued, so a late task cannot take a later one's place)."""
    subscription = load(subscription_id)
    if subscription.awaits_authentication():
        send_authentication_needed(subscription)
        return
    attempt = payment_id or f"{subscription.current_period_end.isoformat()}:{subscription.failed_renewal_attempts}"
    send_to_reader(subscription, "payment_failed", "we could not take your payment", once=f"payment_failed:{attempt}")


def send_authentication_needed(subscription: Subscription) -> None:
    """The bank did not refuse the renewal: it wants the reader to confirm it, from the link in this email."""
    payment = (
        subscription.payments.filter(period_start=subscription.current_period_end)
        .order_by("-created_at", "-pk")
        .first()
    )
    send_to_reader(
        subscription,
        "authentication_needed",
        "please confirm your payment with your bank",
        {"payment": payment},
        once=f"authentication_needed:{payment.pk if payment else subscription.current_period_end.isoformat()}",
    )


@task()
def send_ended_unpaid(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "ended_unpaid", "your subscription has ended", once="ended_unpaid")


@task()
def send_cancellation(subscription_id: int, canceled_at: str = "") -> None:
    """About one cancellation, named by its moment when enqueued; a cancellation resumed since is not confirmed."""
    subscription = load(subscription_id)
    if subscription.status == Subscription.ACTIVE and not subscription.cancel_at_period_end:
        return  # resumed before this task ran
    send_to_reader(subscription, "cancellation", "your cancellation is confirmed", once=f"cancellation:{canceled_at}")


@task()
def send_refund_issued(subscription_id: int, refund_id: int | None = None) -> None:
    """Money back: the guarantee's refund (once per subscription), or one staff refund."""
    once = f"refund_issued:{refund_id}" if refund_id else "refund_issued:guarantee"
    subscription = load(subscription_id)
    context = {}
    if not refund_id:
        refunded = subscription.events.filter(kind="refunded_under_guarantee").first()
        kept_until = refunded and refunded.detail.get("gift_kept_until")
        context["gift_kept_until"] = datetime.datetime.fromisoformat(kept_until) if kept_until else None
    send_to_reader(subscription, "refund_issued", "your refund is on its way", context, once=once)
