"""A mail server that turns a copy away for now (4xx) gets it again later, a few times at most, and only once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.newsletters.models import Delivery, Newsletter, Recipient, Send
from masthead.newsletters.services import send_newsletter
from masthead.newsletters.tasks import retry_due_sends

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
GREYLISTED = "451 4.7.1 Greylisted, please try again later"


@pytest.fixture
def readers(db):
    """Gina's server greylists strangers; Otto's and Pia's take mail at once. All three signed up for free."""
    return [
        Recipient.objects.create(email=f"{name}@example.org", confirmed_at=timezone.now())
        for name in ("gina", "otto", "pia")
    ]


def send_spring_newsletter(django_capture_on_commit_callbacks) -> Send:
    newsletter = Newsletter.objects.create(subject="Spring plans", segment=Newsletter.FREE_READERS)
    with django_capture_on_commit_callbacks(execute=True):
        return send_newsletter(newsletter)


def periodic_retry_at(moment, time_machine, django_capture_on_commit_callbacks) -> None:
    """The scheduler's `retry_due_sends`, run at `moment` as the site runs it every five minutes."""
    time_machine.move_to(moment, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        retry_due_sends.call()


def copies_to(smtp_server, recipients) -> list[int]:
    return [len(smtp_server.to(recipient.email)) for recipient in recipients]


def test_a_greylisted_copy_goes_again_after_its_wait_and_arrives_once(
    readers, smtp_server, time_machine, django_capture_on_commit_callbacks
):
    gina = readers[0]
    smtp_server.defer(gina.email, GREYLISTED)
    time_machine.move_to(MONDAY_NOON, tick=False)

    send = send_spring_newsletter(django_capture_on_commit_callbacks)

    assert copies_to(smtp_server, readers) == [0, 1, 1]
    assert send.counts()["failed"] == 0, "a 4xx is not the end of the copy"
    assert Send.objects.get(pk=send.pk).state_for_staff != "Sent"

    periodic_retry_at(MONDAY_NOON + datetime.timedelta(minutes=2), time_machine, django_capture_on_commit_callbacks)
    assert copies_to(smtp_server, readers) == [0, 1, 1], "not before its wait is over"

    periodic_retry_at(MONDAY_NOON + datetime.timedelta(minutes=6), time_machine, django_capture_on_commit_callbacks)
    periodic_retry_at(MONDAY_NOON + datetime.timedelta(minutes=11), time_machine, django_capture_on_commit_callbacks)

    assert copies_to(smtp_server, readers) == [1, 1, 1]
    send = Send.objects.get(pk=send.pk)
    assert send.state_for_staff == "Sent"
    assert (send.counts()["sent"], send.counts()["failed"], send.counts()["uncertain"]) == (3, 0, 0)
    assert Recipient.objects.get(pk=gina.pk).suppressed_at is None


def test_a_copy_turned_away_every_time_is_given_up_after_four_tries_and_the_address_kept(
    readers, smtp_server, time_machine, django_capture_on_commit_callbacks
):
    gina = readers[0]
    smtp_server.defer(gina.email, *[GREYLISTED] * 10)
    time_machine.move_to(MONDAY_NOON, tick=False)
    send = send_spring_newsletter(django_capture_on_commit_callbacks)

    for minutes in range(5, 24 * 60, 5):  # a day of the scheduler's runs
        periodic_retry_at(MONDAY_NOON + datetime.timedelta(minutes=minutes), time_machine,
                          django_capture_on_commit_callbacks)  # fmt: skip

    assert copies_to(smtp_server, readers) == [0, 1, 1]
    assert len(smtp_server.handler.defer[gina.email]) == 10 - 4, "four tries, with waits between them"
    delivery = Delivery.objects.get(send=send, recipient=gina)
    assert delivery.status == Delivery.FAILED
    assert delivery.error.startswith("451") and "gave up after 4 tries" in delivery.error
    assert Recipient.objects.get(pk=gina.pk).suppressed_at is None, "a temporary refusal is no bounce"
    assert Send.objects.get(pk=send.pk).state_for_staff == "Sent"


def test_a_server_that_closes_the_connection_with_421_still_takes_the_rest_of_the_mailing_at_once(
    readers, smtp_server, time_machine, django_capture_on_commit_callbacks
):
    gina = readers[0]
    smtp_server.defer(gina.email, "421 4.3.2 Too busy, closing the connection")
    time_machine.move_to(MONDAY_NOON, tick=False)

    send = send_spring_newsletter(django_capture_on_commit_callbacks)

    first = Delivery.objects.filter(send=send).order_by("pk").first()
    assert first.recipient == gina, "her copy is the first handed over, so the others follow the closed connection"
    assert copies_to(smtp_server, readers) == [0, 1, 1]
    assert send.counts()["uncertain"] == 0, "a copy never handed over is not in doubt"

    periodic_retry_at(MONDAY_NOON + datetime.timedelta(minutes=6), time_machine, django_capture_on_commit_callbacks)
    assert copies_to(smtp_server, readers) == [1, 1, 1]


# Transactional: the worker reopens its connection. Serialized: the flush after it must not give the migrations'
# rows new ids, which broke every later test that puts them back (content types).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_the_database_queue_the_mailing_comes_back_by_itself_when_the_copy_is_due(
    readers, smtp_server, settings, time_machine, django_capture_on_commit_callbacks
):
    """The embedded default's worker (db_worker) runs the mailing, then again once the turned-away copy is due."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    gina = readers[0]
    smtp_server.defer(gina.email, GREYLISTED)
    time_machine.move_to(MONDAY_NOON, tick=False)
    send_spring_newsletter(django_capture_on_commit_callbacks)

    def worker_runs_what_is_due():
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    worker_runs_what_is_due()
    assert copies_to(smtp_server, readers) == [0, 1, 1]
    worker_runs_what_is_due()
    assert copies_to(smtp_server, readers) == [0, 1, 1], "its task waits for the copy's time"

    time_machine.move_to(MONDAY_NOON + datetime.timedelta(minutes=5, seconds=1), tick=False)
    worker_runs_what_is_due()
    assert copies_to(smtp_server, readers) == [1, 1, 1]
