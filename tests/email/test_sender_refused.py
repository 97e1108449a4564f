"""A server that refuses our own From address is no reader's bounce: nobody is suppressed, and the mailing waits."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.newsletters.models import Newsletter, Recipient, Send
from masthead.newsletters.services import send_newsletter
from masthead.newsletters.tasks import retry_due_sends

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


def test_a_refused_sender_fails_the_mailing_for_a_later_try_and_suppresses_nobody(
    smtp_server, time_machine, django_capture_on_commit_callbacks
):
    readers = [Recipient.objects.create(email=f"{name}@example.org", confirmed_at=timezone.now()) for name in "abc"]
    smtp_server.handler.refuse_sender = "553 5.7.1 Sender address rejected: not owned by you"
    time_machine.move_to(MONDAY_NOON, tick=False)
    newsletter = Newsletter.objects.create(subject="Spring plans", segment=Newsletter.FREE_READERS)

    with django_capture_on_commit_callbacks(execute=True):
        send = send_newsletter(newsletter)

    send = Send.objects.get(pk=send.pk)
    assert smtp_server.messages == []
    assert Recipient.objects.filter(suppressed_at__isnull=False).count() == 0, "our From address is not theirs"
    assert send.state_for_staff == "Failed 1 time; will try again"
    assert "553" in send.error and "Sender address rejected" in send.error
    assert (send.counts()["pending"], send.counts()["bounced"]) == (3, 0)

    smtp_server.handler.refuse_sender = ""  # the publisher mends the sending domain
    time_machine.move_to(MONDAY_NOON + datetime.timedelta(minutes=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        retry_due_sends.call()

    assert [len(smtp_server.to(reader.email)) for reader in readers] == [1, 1, 1]
    assert Send.objects.get(pk=send.pk).state_for_staff == "Sent"


def test_the_publisher_sends_a_failed_mailing_by_hand_at_once_without_waiting_out_its_back_off(
    smtp_server, time_machine, django_capture_on_commit_callbacks
):
    """The domain is mended a minute after the failure: `manage.py send_mailing` sends now, not "busy"."""
    readers = [Recipient.objects.create(email=f"{name}@example.org", confirmed_at=timezone.now()) for name in "ab"]
    smtp_server.handler.refuse_sender = "553 5.7.1 Sender address rejected: not owned by you"
    time_machine.move_to(MONDAY_NOON, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send = send_newsletter(Newsletter.objects.create(subject="Spring plans", segment=Newsletter.FREE_READERS))
    assert Send.objects.get(pk=send.pk).next_attempt_at > MONDAY_NOON + datetime.timedelta(minutes=1)

    smtp_server.handler.refuse_sender = ""
    time_machine.move_to(MONDAY_NOON + datetime.timedelta(minutes=1), tick=False)
    output = io.StringIO()
    call_command("send_mailing", str(send.pk), stdout=output, stderr=io.StringIO())

    assert [len(smtp_server.to(reader.email)) for reader in readers] == [1, 1]
    assert Send.objects.get(pk=send.pk).state_for_staff == "Sent"
    assert "sent" in output.getvalue()
