"""Writes to recipients: free sign-up with double opt-in, preferences, unsubscribes and suppression."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from masthead.core.email_owners import owner_of_address
from masthead.newsletters import tokens
from masthead.newsletters.models import ALERTS, DIGEST, ISSUE_EMAIL, LISTS, NEWSLETTERS, Delivery, Recipient

# A second sign-up with the same address within this time sends no second confirmation email, so
# nobody can fill a stranger's inbox by typing their address again and again.
CONFIRMATION_RESEND_AFTER = datetime.timedelta(minutes=10)


class AddressSuppressed(Exception):
    """Mail to this address bounced or was marked as spam; we do not write to it again."""


def normalise(email: str) -> str:
    return email.strip().lower()


def sign_up(email: str, *, now: datetime.datetime | None = None) -> Recipient:
    """A free sign-up: the row, and a confirmation email unless one went out a moment ago or it is confirmed.

    The answer a visitor sees is the same whatever happens here, so the form tells nobody whether
    an address is already on the list. A confirmed address without an account is sent a link again:
    pressing it makes the reader's account (free_readers.py).
    """
    from masthead.newsletters.tasks import send_confirmation

    now = now or timezone.now()
    email = normalise(email)
    with transaction.atomic():
        recipient, _ = Recipient.objects.select_for_update().get_or_create(email=email)
        if recipient.suppressed_at:
            raise AddressSuppressed(email)
        if recipient.confirmed_at:
            # Already signed up: whatever they had turned off, asking again turns the free lists back on.
            if not (recipient.wants_digest and recipient.wants_newsletters):
                recipient.wants_digest = recipient.wants_newsletters = True
                recipient.save(update_fields=["wants_digest", "wants_newsletters"])
            if recipient.user_id is not None:
                return recipient
            # Confirmed before free sign-ups had accounts: a new link makes theirs and signs them in.
        recent = recipient.confirmation_sent_at and now - recipient.confirmation_sent_at < CONFIRMATION_RESEND_AFTER
        if not recent:
            recipient.confirmation_sent_at = now
            recipient.save(update_fields=["confirmation_sent_at"])
            transaction.on_commit(lambda: send_confirmation.enqueue(recipient.pk))
    return recipient


def confirm(token: str, *, now: datetime.datetime | None = None) -> Recipient:
    """The owner followed the confirmation link: the address takes the free lists from now on (raises BadToken)."""
    email = tokens.email_from_confirmation(token)
    now = now or timezone.now()
    with transaction.atomic():
        recipient, _ = Recipient.objects.select_for_update().get_or_create(email=email)
        if recipient.confirmed_at is None:
            recipient.confirmed_at = now
            owner = owner_of_address(email)
            if recipient.user is None and owner is not None and not Recipient.objects.filter(user=owner).exists():
                recipient.user = owner
            recipient.save(update_fields=["confirmed_at", "user"])
    return recipient


def recipient_for_user(user) -> Recipient:
    """The reader's own row (an account's address counts as confirmed: allauth verified it before the first login)."""
    [recipient] = recipients_for_users([user.pk]).values()
    return recipient


def recipients_for_users(user_ids, *, now: datetime.datetime | None = None) -> dict[int, Recipient]:
    """user id -> Recipient for many readers, writing the rows that are missing (in bulk, safe to run twice)."""
    now = now or timezone.now()
    user_ids = list(user_ids)
    found = {recipient.user_id: recipient for recipient in Recipient.objects.filter(user_id__in=user_ids)}
    missing = [user_id for user_id in user_ids if user_id not in found]
    if not missing:
        return found
    emails = dict(get_user_model().objects.filter(pk__in=missing).exclude(email="").values_list("pk", "email"))
    by_email = {normalise(email): user_id for user_id, email in emails.items()}
    with transaction.atomic():
        # A sign-up from before the reader had an account: the account's verified address confirms it.
        for recipient in Recipient.objects.select_for_update().filter(email__in=by_email, user__isnull=True):
            recipient.user_id = by_email.pop(recipient.email)
            recipient.confirmed_at = recipient.confirmed_at or now
            recipient.save(update_fields=["user", "confirmed_at"])
        Recipient.objects.bulk_create(
            [Recipient(email=email, user_id=user_id, confirmed_at=now) for email, user_id in by_email.items()],
            ignore_conflicts=True,
            batch_size=2000,
        )
    found.update({recipient.user_id: recipient for recipient in Recipient.objects.filter(user_id__in=missing)})
    return found


def set_preferences(
    recipient: Recipient, *, issue_email: bool, digest: bool, newsletters: bool, alert_section_ids: list[int]
) -> Recipient:
    """Save what the reader chose on /account/email/."""
    recipient.wants_issue_email = issue_email
    recipient.wants_digest = digest
    recipient.wants_newsletters = newsletters
    recipient.save(update_fields=["wants_issue_email", "wants_digest", "wants_newsletters"])
    recipient.alert_sections.set(alert_section_ids)
    return recipient


def unsubscribe(token: str, *, now: datetime.datetime | None = None) -> tuple[Recipient, str]:
    """One click: the list the link names stops for this address; counted on the mailing it came from."""
    recipient_id, mailing_list, send_id = tokens.read_unsubscribe(token)
    if mailing_list not in LISTS:
        raise tokens.BadToken(f"no list {mailing_list!r}")
    now = now or timezone.now()
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(pk=recipient_id)
        if mailing_list == ISSUE_EMAIL:
            recipient.wants_issue_email = False
        elif mailing_list == DIGEST:
            recipient.wants_digest = False
        elif mailing_list == NEWSLETTERS:
            recipient.wants_newsletters = False
        recipient.save(update_fields=["wants_issue_email", "wants_digest", "wants_newsletters"])
        if mailing_list == ALERTS:
            recipient.alert_sections.clear()
        if send_id is not None:
            Delivery.objects.filter(send_id=send_id, recipient=recipient, unsubscribed_at__isnull=True).update(
                unsubscribed_at=now
            )
    return recipient, mailing_list


def suppress(email: str, reason: str, *, now: datetime.datetime | None = None) -> bool:
    """A hard bounce or a spam complaint: no more mail to this address. Returns whether anything changed."""
    now = now or timezone.now()
    recipient, _ = Recipient.objects.get_or_create(email=normalise(email))
    if recipient.suppressed_at and recipient.suppression_reason == Recipient.COMPLAINED:
        return False  # a complaint is the stronger reason; a later bounce does not replace it
    changed = recipient.suppression_reason != reason or recipient.suppressed_at is None
    Recipient.objects.filter(pk=recipient.pk).update(
        suppressed_at=recipient.suppressed_at or now, suppression_reason=reason
    )
    return changed
