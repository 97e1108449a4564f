"""The emails the ledger sends, as background tasks taking ids; each sent email is logged on the subscription."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from masthead.subscriptions.models import Receipt, Subscription, SubscriptionEvent


def send_to_reader(
    subscription: Subscription,
    template: str,
    subject: str,
    context: dict | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
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
    SubscriptionEvent.objects.create(
        subscription=subscription, kind="email_sent", actor="system:mail", detail={"template": template}
    )


def load(subscription_id: int) -> Subscription:
    return Subscription.objects.select_related("reader", "plan", "next_plan").get(pk=subscription_id)


@task()
def send_welcome(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "welcome", "welcome, subscriber")


@task()
def send_receipt(receipt_id: int) -> None:
    receipt = Receipt.objects.select_related("payment__subscription__reader", "payment__subscription__plan").get(
        pk=receipt_id
    )
    subscription = receipt.payment.subscription
    send_to_reader(
        subscription, "receipt", f"receipt {receipt.number}", {"receipt": receipt, "payment": receipt.payment}
    )


@task()
def send_renewal_reminder(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "renewal_reminder", "your subscription renews in a week")


@task()
def send_payment_failed(subscription_id: int) -> None:
    subscription = load(subscription_id)
    if subscription.awaits_authentication():
        send_authentication_needed(subscription)
        return
    send_to_reader(subscription, "payment_failed", "we could not take your payment")


def send_authentication_needed(subscription: Subscription) -> None:
    """The bank did not refuse the renewal: it wants the reader to confirm it, from the link in this email."""
    payment = (
        subscription.payments.filter(period_start=subscription.current_period_end)
        .order_by("-created_at", "-pk")
        .first()
    )
    send_to_reader(
        subscription, "authentication_needed", "please confirm your payment with your bank", {"payment": payment}
    )


@task()
def send_ended_unpaid(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "ended_unpaid", "your subscription has ended")


@task()
def send_cancellation(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "cancellation", "your cancellation is confirmed")


@task()
def send_refund_issued(subscription_id: int) -> None:
    send_to_reader(load(subscription_id), "refund_issued", "your refund is on its way")
