"""The gifts' emails, each as text and HTML: the giver's receipt, refund and claim notices (tasks, each sent
once), and the recipient's gift."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from masthead.gifts.models import Gift, GiftEvent


def send_email(gift: Gift, template: str, subject: str, to: str) -> None:
    subject = f"{settings.MAGAZINE_NAME}: {subject}"
    context = {
        "gift": gift,
        "subject": subject,
        "site_url": settings.SITE_URL,
        "magazine_name": settings.MAGAZINE_NAME,
        "claim_url": settings.SITE_URL + reverse("gifts:claim", args=[gift.claim_token]),
        "account_url": settings.SITE_URL + reverse("account"),
    }
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"gifts/email/{template}.txt", context), to=[to]
    )
    # The HTML part is autoescaped: the giver's name, message and the recipient's name are typed by readers.
    message.attach_alternative(render_to_string(f"gifts/email/{template}.html", context), "text/html")
    message.send()


def email_giver_once(gift: Gift, template: str, subject: str, *, once: str) -> bool:
    """Send the giver `template` unless the email named `once` is in the gift's log already."""
    if GiftEvent.objects.filter(gift=gift, kind="email_sent_to_giver", detail__email=once).exists():
        return False
    send_email(gift, template, subject, gift.giver.email)
    from masthead.gifts.services.log import record_gift_event  # the gift's writer, which sends these

    record_gift_event(gift, "email_sent_to_giver", "system:mail", email=once)
    return True


def email_recipient(gift: Gift) -> None:
    """The gift itself, with its claim link (delivery decides when, and that it goes once)."""
    giver = gift.giver.get_full_name() or gift.giver.email
    send_email(gift, "gift", f"{giver} has given you a subscription", gift.recipient_email)


def load(gift_id: int) -> Gift:
    return Gift.objects.select_related("giver", "plan").get(pk=gift_id)


@task()
def send_gift_receipt(gift_id: int) -> None:
    gift = load(gift_id)
    email_giver_once(gift, "receipt", f"receipt {gift.number} for your gift", once="receipt")


@task()
def send_refund_notice(gift_id: int) -> None:
    gift = load(gift_id)
    email_giver_once(gift, "refunded", f"your gift {gift.number} has been refunded", once="refund")


@task()
def send_claimed_notice(gift_id: int) -> None:
    """Tell the giver their gift was claimed (once: a claim retried or this task run again sends nothing more)."""
    gift = load(gift_id)
    email_giver_once(gift, "claimed", f"your gift {gift.number} has been claimed", once="claimed")
