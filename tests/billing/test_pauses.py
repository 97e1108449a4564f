"""Pausing a subscription for 1 to 3 issues from /account/: no charge for the time, the charge moved, back by itself.

Launch day is 10 March 2027 (tests/billing/conftest.py); issues come out on the 1st and the 15th
and each list closes at the end of the day a week before its cover date. On launch day the 15 March
list has closed, so a pause skips the issues of 1 April (closes 26 March, 00:00), 15 April
(9 April), 1 May (25 April)... and ends when the list of the issue after them closes.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from masthead.access.entitlements import entitlements_for
from masthead.access.models import PaywallSettings
from masthead.circulation.services import close_issue, closes_at, mailing_list_for, print_runs
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Payment, SandboxCharge, Subscription, SubscriptionPause
from masthead.subscriptions.pause_tasks import run_pauses, send_resume_reminder
from masthead.subscriptions.services import do_cancel, refund_payment, store_card
from tests.billing.pages import START, browser_for, committed, visible_text
from tests.factories import IssueFactory
from tests.reading import main_text, parsed, reads_the_whole_seed_article, words
from tests.seed import SEED_ALL_PAGES

UTC = datetime.UTC
CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123")
# A pause of two issues asked on launch day: skips 1 and 15 April, back when the 1 May list closes.
BACK_AFTER_TWO = datetime.datetime(2027, 4, 25, 0, 0, tzinfo=UTC)
FIRST_SKIPPED_CLOSES = datetime.datetime(2027, 3, 26, 0, 0, tzinfo=UTC)  # the 1 April list
# The charge moves by the time the skipped issues cover, not by the pause's whole length (45 days 15 hours).
MOVED_FOR_TWO = BACK_AFTER_TWO - FIRST_SKIPPED_CLOSES  # 30 days
PAID_UNTIL = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=UTC)  # Sam's first month


@pytest.fixture(autouse=True)
def issues(db):
    """The schedule from March to June 2027."""
    return {
        cover: IssueFactory(cover_date=cover, cover_image=None)
        for cover in [datetime.date(2027, month, day) for month in (3, 4, 5, 6) for day in (1, 15)]
    }


@pytest.fixture(autouse=True)
def digital_closes_while_paused(db):
    """Sam reads digital only, so he may pause only where paused readers lose digital; tests say when it stays open."""
    publisher_keeps_digital_while_paused(False)


def subjects() -> list[str]:
    return [email.subject.removeprefix("The Masthead Review: ") for email in mail.outbox]


def amounts_charged() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("amount_cents", flat=True))


def pause(client, issues: int = 2):
    """Open the pause page and send its form, as a browser would (with the first skipped issue it showed)."""
    return client.post("/account/pause/", form_as_shown(client, issues), follow=True)


def form_as_shown(client, issues: int) -> dict:
    shown = parsed(client.get("/account/pause/")).select_one("input[name=first_cover_date]")
    return {"issues": issues} | ({"first_cover_date": shown["value"]} if shown else {})


def run_the_pause_job() -> dict:
    with committed():
        return run_pauses.call()


def test_a_subscriber_pauses_for_two_issues_from_the_account_page(subscriber_client, subscriber):
    account = visible_text(subscriber_client.get("/account/"))
    assert "Pause for 1 to 3 issues" in account
    form = visible_text(subscriber_client.get("/account/pause/"))
    assert "1 issue: skip the issue of April 1, back on April 9, 2027" in form
    assert "2 issues: skip the 2 issues of April 1 to April 15, back on April 25, 2027" in form
    assert "3 issues: skip the 3 issues of April 1 to May 1, back on May 9, 2027" in form

    page = visible_text(pause(subscriber_client, 2))

    assert "Your subscription is paused until April 25, 2027." in page
    assert "Paused until April 25, 2027" in page
    # The month paid on launch day runs to April 10; the skipped issues cover 26 March to 25 April.
    assert "Next renewal May 10, 2027: $9.00" in page
    assert "Resume now instead of April 25" in page
    assert "Pause for 1 to 3 issues" not in page
    [confirmation] = mail.outbox
    assert confirmation.to == ["sam@example.com"]
    assert confirmation.subject == "The Masthead Review: your subscription is paused"
    assert "It resumes by itself on April 25, 2027" in confirmation.body
    assert "you will not be charged for the issues you skip" in confirmation.body
    assert "your next payment, $9.00, moves to May 10, 2027" in confirmation.body


def test_the_renewal_after_a_pause_charges_the_same_price_later_by_the_paused_time(
    subscriber_client, clock, run_renewals
):
    pause(subscriber_client, 2)

    clock.move_to(PAID_UNTIL + datetime.timedelta(days=1))  # when it would have renewed, and its grace day
    assert run_renewals() == {}
    clock.move_to(PAID_UNTIL + MOVED_FOR_TWO - datetime.timedelta(seconds=1))
    assert run_renewals() == {}
    clock.move_to(PAID_UNTIL + MOVED_FOR_TWO)
    assert run_renewals() == {"renewed": 1}
    assert run_renewals() == {}

    assert amounts_charged() == [900, 900]
    renewal = Payment.objects.get(status=Payment.SUCCEEDED, period_start__gt=START)
    assert (renewal.period_start, renewal.period_end) == (
        datetime.datetime(2027, 5, 10, 9, 0, tzinfo=UTC),
        datetime.datetime(2027, 6, 10, 9, 0, tzinfo=UTC),
    )
    assert "Next renewal June 10, 2027: $9.00" in visible_text(subscriber_client.get("/account/"))


def test_resuming_before_the_first_skipped_issue_closes_gives_all_the_moved_time_back(
    subscriber_client, clock, run_renewals
):
    pause(subscriber_client, 2)
    clock.move_to(datetime.datetime(2027, 3, 20, 9, 0, tzinfo=UTC))

    page = visible_text(subscriber_client.post("/account/pause/resume/", follow=True))

    assert "Welcome back: your subscription is running again." in page
    # Back before the 1 April list closed: nothing was missed, so the renewal is where it was.
    assert "Next renewal April 10, 2027: $9.00" in page
    assert "Paused" not in page
    clock.move_to(PAID_UNTIL)
    assert run_renewals() == {"renewed": 1}
    assert amounts_charged() == [900, 900]


def test_resuming_after_the_first_skipped_issue_closed_gives_back_only_the_time_not_used(
    subscriber_client, clock, run_renewals
):
    pause(subscriber_client, 2)
    clock.move_to(datetime.datetime(2027, 4, 5, 9, 0, tzinfo=UTC))

    page = visible_text(subscriber_client.post("/account/pause/resume/", follow=True))

    # Missed from 26 March 00:00 to 5 April 09:00 (10 days 9 hours): the renewal moves that much.
    assert "Next renewal April 20, 2027: $9.00" in page
    assert Subscription.objects.get().current_period_end == datetime.datetime(2027, 4, 20, 18, 0, tzinfo=UTC)
    clock.move_to(datetime.datetime(2027, 4, 20, 18, 0, tzinfo=UTC))
    assert run_renewals() == {"renewed": 1}
    assert amounts_charged() == [900, 900]


def test_the_reader_is_reminded_once_a_week_before_resuming_and_resumes_by_themselves(
    subscriber_client, subscriber, clock
):
    pause(subscriber_client, 2)
    mail.outbox.clear()

    clock.move_to(BACK_AFTER_TWO - datetime.timedelta(days=7, seconds=1))
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    clock.move_to(BACK_AFTER_TWO - datetime.timedelta(days=7))
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 1}
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    # The email's task run again (a retry, a worker that died after sending) sends nothing more.
    send_resume_reminder.call(SubscriptionPause.objects.get().pk)
    assert subjects() == ["your subscription resumes in a week"]
    assert "resumes on April 25, 2027" in mail.outbox[0].body
    assert "Your next payment, $9.00, is on May 10, 2027." in mail.outbox[0].body

    clock.move_to(BACK_AFTER_TWO)
    assert run_the_pause_job() == {"pauses_ended": 1, "resume_reminders": 0}
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    page = visible_text(subscriber_client.get("/account/"))
    assert "Paused" not in page and "Active" in page
    assert "Pause for 1 to 3 issues" in page
    assert Subscription.objects.get().paused_until is None


def test_a_pause_just_over_a_week_long_gets_no_reminder_hours_after_it_began(print_subscriber_client, clock):
    IssueFactory(cover_date=datetime.date(2027, 4, 8), number=100, cover_image=None)  # a special; list closes 2 April
    clock.move_to(datetime.datetime(2027, 3, 25, 23, 0, tzinfo=UTC))
    page = visible_text(pause(print_subscriber_client, 1))  # skips 1 April, back 2 April: 7 days 1 hour
    assert "Your subscription is paused until April 2, 2027." in page
    assert subjects() == ["your subscription is paused"]

    clock.move_to(datetime.datetime(2027, 3, 26, 1, 0, tzinfo=UTC))  # a week before the end, 2 hours in
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    clock.move_to(datetime.datetime(2027, 4, 1, 0, 0, tzinfo=UTC))
    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    assert subjects() == ["your subscription is paused"]


def test_a_reader_who_resumes_early_is_not_reminded(subscriber_client, clock):
    pause(subscriber_client, 2)
    subscriber_client.post("/account/pause/resume/")
    mail.outbox.clear()

    clock.move_to(BACK_AFTER_TWO - datetime.timedelta(days=3))

    assert run_the_pause_job() == {"pauses_ended": 0, "resume_reminders": 0}
    assert mail.outbox == []


def test_a_second_pause_while_paused_is_refused_and_changes_nothing(subscriber_client):
    pause(subscriber_client, 2)

    page = visible_text(pause(subscriber_client, 3))

    assert "Your subscription is already paused until April 25, 2027." in page
    assert SubscriptionPause.objects.count() == 1
    assert Subscription.objects.get().current_period_end == PAID_UNTIL + MOVED_FOR_TWO


def test_no_pause_while_a_failed_renewal_is_being_retried(subscriber, subscriber_client, clock, run_renewals):
    with committed():
        store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(PAID_UNTIL)
    assert run_renewals() == {"failed": 1}

    form = visible_text(subscriber_client.get("/account/pause/"))
    page = visible_text(pause(subscriber_client, 1))

    refusal = "Your last renewal payment has not gone through yet, and we are still trying it."
    assert refusal in form
    assert "Pause my subscription" not in form
    assert "Your subscription is paused" not in page
    assert SubscriptionPause.objects.count() == 0
    assert Subscription.objects.get().status == Subscription.PAST_DUE


def test_no_pause_while_a_refund_under_the_guarantee_is_under_way(subscriber, subscriber_client):
    # The guarantee's first refund went through and the request died before the subscription ended.
    payment = Payment.objects.get()
    with committed():
        refund_payment(payment, payment.amount_cents, reason="guarantee", key=f"guarantee:{payment.pk}")

    page = visible_text(pause(subscriber_client, 1))

    assert "A refund under the money-back guarantee is under way" in page
    assert SubscriptionPause.objects.count() == 0


def test_no_pause_once_cancelled(subscriber, subscriber_client):
    with committed():
        do_cancel(Subscription.objects.get(), actor="reader")

    page = visible_text(pause(subscriber_client, 1))

    assert "Your subscription is cancelled and will not renew, so there is nothing to pause." in page
    assert SubscriptionPause.objects.count() == 0


def test_no_pause_for_a_lapsed_subscriber(lapsed_subscriber_client):
    assert "You have no current subscription to pause." in visible_text(lapsed_subscriber_client.get("/account/pause/"))
    assert "You have no current subscription to pause." in visible_text(pause(lapsed_subscriber_client, 1))
    assert SubscriptionPause.objects.count() == 0


def test_a_choice_sent_after_a_list_closed_is_refused_not_shifted_to_later_issues(print_subscriber_client, clock):
    chosen = form_as_shown(print_subscriber_client, 1)  # the issue of April 1
    assert chosen["first_cover_date"] == "2027-04-01"
    clock.move_to(FIRST_SKIPPED_CLOSES + datetime.timedelta(minutes=5))  # its list closes before the reader sends

    page = visible_text(print_subscriber_client.post("/account/pause/", chosen, follow=True))

    assert "The issues you can skip have changed since you opened this page" in page
    assert "the first one now is April 15" in page
    assert "1 issue: skip the issue of April 15, back on April 25, 2027" in page
    assert SubscriptionPause.objects.count() == 0
    assert "Your subscription is paused" in visible_text(pause(print_subscriber_client, 1))
    assert SubscriptionPause.objects.get().first_cover_date == datetime.date(2027, 4, 15)


def test_a_choice_that_is_not_offered_re_renders_the_form(subscriber_client):
    response = subscriber_client.post("/account/pause/", {"issues": 4})

    assert response.status_code == 200
    assert "Select a valid choice." in visible_text(response)
    assert SubscriptionPause.objects.count() == 0


def test_the_pause_form_needs_a_login(anonymous):
    response = anonymous.post("/account/pause/", {"issues": 1})

    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert SubscriptionPause.objects.count() == 0


# -- the print edition's mailing lists ---------------------------------------------------------------


def mailed(issue) -> set[str]:
    return {row.name for row in close_issue(issue).rows.all()}


def test_a_paused_reader_is_left_out_of_the_skipped_issue_and_back_on_the_next(
    print_subscriber_client, print_subscriber, issues, clock
):
    april_1, april_15 = issues[datetime.date(2027, 4, 1)], issues[datetime.date(2027, 4, 15)]
    assert "Pat Print" in {row.name for row in mailing_list_for(april_1, actor="staff").rows}

    pause(print_subscriber_client, 1)

    assert "Pat Print" not in {row.name for row in mailing_list_for(april_1, actor="staff").rows}
    clock.move_to(datetime.datetime(2027, 3, 26, 0, 30, tzinfo=UTC))
    assert "Pat Print" not in mailed(april_1)
    clock.move_to(datetime.datetime(2027, 4, 9, 0, 30, tzinfo=UTC))
    assert "Pat Print" in mailed(april_15)
    assert [run.size for run in print_runs([april_1, april_15])] == [0, 1]


def test_a_three_issue_pause_skips_exactly_three_lists(print_subscriber_client, issues, clock):
    pause(print_subscriber_client, 3)

    lists = {}
    for cover in sorted(issues):
        if cover > datetime.date(2027, 3, 15):
            clock.move_to(closes_at(issues[cover]) + datetime.timedelta(minutes=30))
            lists[cover] = "Pat Print" in mailed(issues[cover])

    assert [cover for cover, has_pat in lists.items() if not has_pat] == [
        datetime.date(2027, 4, 1),
        datetime.date(2027, 4, 15),
        datetime.date(2027, 5, 1),
    ]


def test_a_reader_who_resumes_before_the_close_is_mailed_the_issue(print_subscriber_client, issues, clock):
    pause(print_subscriber_client, 2)
    clock.move_to(datetime.datetime(2027, 3, 25, 23, 0, tzinfo=UTC))  # an hour before the 1 April list closes
    print_subscriber_client.post("/account/pause/resume/")

    clock.move_to(datetime.datetime(2027, 3, 26, 0, 30, tzinfo=UTC))
    assert "Pat Print" in mailed(issues[datetime.date(2027, 4, 1)])


def test_a_list_drawn_late_still_leaves_out_whoever_was_paused_at_the_close(print_subscriber_client, issues, clock):
    pause(print_subscriber_client, 1)  # back on 9 April
    clock.move_to(datetime.datetime(2027, 4, 12, 9, 0, tzinfo=UTC))  # the job never ran; staff download now

    assert "Pat Print" not in mailed(issues[datetime.date(2027, 4, 1)])
    assert "Pat Print" in mailed(issues[datetime.date(2027, 4, 15)])


# -- what a paused reader may read ----------------------------------------------------------------


def publisher_keeps_digital_while_paused(keeps: bool) -> None:
    paywall = PaywallSettings.load()
    paywall.digital_while_paused = keeps
    with committed():
        paywall.save()


def test_a_paused_reader_keeps_reading_when_the_publisher_says_so(
    gated_article, print_subscriber, print_subscriber_client
):
    publisher_keeps_digital_while_paused(True)
    assert reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))

    pause(print_subscriber_client, 1)

    assert reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))
    assert entitlements_for(print_subscriber).digital and not entitlements_for(print_subscriber).print


def test_a_digital_reader_cannot_pause_while_paused_readers_keep_reading(subscriber_client):
    publisher_keeps_digital_while_paused(True)

    form = visible_text(subscriber_client.get("/account/pause/"))
    page = visible_text(pause(subscriber_client, 3))

    assert "A digital subscription has nothing to pause" in form
    assert "Pause my subscription" not in form
    assert "A digital subscription has nothing to pause" in page
    assert "Your subscription is paused" not in page
    assert SubscriptionPause.objects.count() == 0
    assert Subscription.objects.get().current_period_end == PAID_UNTIL


def test_no_more_than_three_issues_are_skipped_in_twelve_months(print_subscriber_client):
    pause(print_subscriber_client, 2)
    print_subscriber_client.post("/account/pause/resume/")

    too_many = visible_text(pause(print_subscriber_client, 2))
    assert "may skip 3 issues in any 12 months; you have 1 left" in too_many
    assert SubscriptionPause.objects.count() == 1
    assert "Your subscription is paused" in visible_text(pause(print_subscriber_client, 1))
    print_subscriber_client.post("/account/pause/resume/")

    form = visible_text(print_subscriber_client.get("/account/pause/"))
    assert "You have already skipped 3 issues in the last 12 months" in form
    assert "Your subscription is paused" not in visible_text(pause(print_subscriber_client, 1))
    assert SubscriptionPause.objects.count() == 2


def test_a_paused_reader_sees_the_teaser_on_the_very_next_request_when_the_publisher_closes_digital(
    gated_article, subscriber, subscriber_client
):
    publisher_keeps_digital_while_paused(False)
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))  # remembered, and from the stored copy

    pause(subscriber_client, 1)

    response = subscriber_client.get(SEED_ALL_PAGES)
    assert not reads_the_whole_seed_article(response)
    assert "Subscribe" in main_text(response)
    subscriber_client.post("/account/pause/resume/")
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))


def test_changing_the_setting_decides_paused_readers_afresh_at_once(gated_article, print_subscriber_client):
    publisher_keeps_digital_while_paused(True)
    pause(print_subscriber_client, 1)
    assert reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))
    assert reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))

    publisher_keeps_digital_while_paused(False)
    assert not reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))

    publisher_keeps_digital_while_paused(True)
    assert reads_the_whole_seed_article(print_subscriber_client.get(SEED_ALL_PAGES))


def test_digital_comes_back_by_itself_when_the_pause_ends(gated_article, subscriber, subscriber_client, clock):
    publisher_keeps_digital_while_paused(False)
    pause(subscriber_client, 1)  # back on 9 April
    clock.move_to(datetime.datetime(2027, 4, 8, 23, 59, tzinfo=UTC))
    assert not reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))

    clock.move_to(datetime.datetime(2027, 4, 9, 0, 0, tzinfo=UTC))  # before the hourly job has run
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))


# -- staff ------------------------------------------------------------------------------------------


def test_staff_see_a_paused_subscription_in_the_subscribers_list(subscriber, subscriber_client, request):
    staff = request.getfixturevalue("circulation_client")  # Cora, of circulation
    pause(subscriber_client, 2)

    listing = visible_text(staff.get(reverse("subscribers:index")))
    detail = visible_text(staff.get(reverse("subscribers:detail", args=[subscriber.pk])))

    assert "Paused until 25 Apr 2027" in listing
    assert "Paused until 25 Apr 2027" in detail


def test_pausing_and_resuming_again_and_again_is_told_to_slow_down(settings, subscriber_client):
    door = settings.RATE_LIMITS["subscription_pause"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "subscription_pause": {**door, "per_reader": "4/h"}}
    for _ in range(2):
        assert subscriber_client.post("/account/pause/", form_as_shown(subscriber_client, 1)).status_code == 302
        assert subscriber_client.post("/account/pause/resume/").status_code == 302
    assert len(mail.outbox) == 2

    response = subscriber_client.post("/account/pause/", {"issues": 1, "first_cover_date": "2027-04-01"})

    assert response.status_code == 429
    assert len(mail.outbox) == 2
    assert Subscription.objects.get().paused_until is None


def test_pausing_from_two_tabs_at_once_makes_one_pause_and_moves_the_renewal_once(at_once, subscriber):
    first_tab, second_tab = browser_for(subscriber), browser_for(subscriber)

    answers = at_once(
        lambda: first_tab.post("/account/pause/", {"issues": 2, "first_cover_date": "2027-04-01"}),
        lambda: second_tab.post("/account/pause/", {"issues": 2, "first_cover_date": "2027-04-01"}),
    )

    # The later tab is sent to the account page, or shown the form saying why not, as its timing has it.
    refused = [answer for answer in answers if answer.status_code == 200]
    assert all("already paused until April 25, 2027" in visible_text(answer) for answer in refused)
    assert len(refused) <= 1 and all(answer.status_code in (200, 302) for answer in answers)
    assert SubscriptionPause.objects.count() == 1
    assert Subscription.objects.get().current_period_end == PAID_UNTIL + MOVED_FOR_TWO
    assert subjects() == ["your subscription is paused"]


def test_a_paused_subscriber_still_counts_as_a_subscriber_on_the_circulation_dashboard(
    subscriber, print_subscriber, print_subscriber_client, request
):
    staff = request.getfixturevalue("circulation_client")
    pause(print_subscriber_client, 2)

    panel = visible_text(staff.get("/admin/"))
    plans = parsed(staff.get("/admin/circulation/")).select_one("#table-plans")
    rows = plans.select("tbody tr")
    by_plan = {words(row.select_one("th")): [words(cell) for cell in row.select("td")] for row in rows}

    assert "Subscribers today 2 (1 with print, 1 digital only)" in panel
    # Format, live, paying, complimentary, in a trial, past due: Pat is live and paying.
    assert by_plan["Digital + Print, yearly"] == ["Print and digital", "1", "1", "0", "0", "0"]


# -- a renewal that would fall due during the pause ---------------------------------------------------

# Sam pauses on 9 April, an hour after the 15 April list closed and the day before his month ends: one
# issue skips 1 May (its list closes 25 April) and he is back when the 15 May list closes (9 May, 00:00).
LATE_PAUSE = datetime.datetime(2027, 4, 9, 1, 0, tzinfo=UTC)
BACK_AFTER_LATE_PAUSE = datetime.datetime(2027, 5, 9, 0, 0, tzinfo=UTC)


def test_a_renewal_that_would_fall_due_during_the_pause_moves_to_the_day_the_reader_is_back(
    subscriber_client, clock, run_renewals
):
    clock.move_to(LATE_PAUSE)
    page = visible_text(pause(subscriber_client, 1))

    assert "Your subscription is paused until May 9, 2027." in page
    # The skipped issue's time (25 April to 9 May) after 10 April would be 24 April: inside the pause.
    assert "Next renewal May 9, 2027: $9.00" in page
    assert "your next payment, $9.00, moves to May 9, 2027" in mail.outbox[0].body
    for moment in (PAID_UNTIL, datetime.datetime(2027, 4, 24, 9, 0, tzinfo=UTC), BACK_AFTER_LATE_PAUSE):
        clock.move_to(moment - datetime.timedelta(seconds=1))
        assert run_renewals() == {}
    clock.move_to(BACK_AFTER_LATE_PAUSE)
    assert run_renewals() == {"renewed": 1}

    assert amounts_charged() == [900, 900]
    renewal = Payment.objects.get(status=Payment.SUCCEEDED, period_start__gt=START)
    assert (renewal.period_start, renewal.period_end) == (
        BACK_AFTER_LATE_PAUSE,
        datetime.datetime(2027, 6, 9, 0, 0, tzinfo=UTC),
    )


def test_resuming_from_such_a_pause_at_once_puts_the_renewal_back_where_it_was(subscriber_client, clock, run_renewals):
    clock.move_to(LATE_PAUSE)
    pause(subscriber_client, 1)
    clock.move_to(LATE_PAUSE + datetime.timedelta(minutes=5))

    page = visible_text(subscriber_client.post("/account/pause/resume/", follow=True))

    # Nothing skipped yet: the renewal is on 10 April again, not the 25 April close the pause began from.
    assert "Next renewal April 10, 2027: $9.00" in page
    clock.move_to(PAID_UNTIL)
    assert run_renewals() == {"renewed": 1}
    assert amounts_charged() == [900, 900]


def test_resuming_such_a_pause_after_the_renewal_date_charges_from_the_day_the_reader_is_back(
    subscriber_client, clock, run_renewals
):
    clock.move_to(LATE_PAUSE)
    pause(subscriber_client, 1)
    back = datetime.datetime(2027, 4, 12, 9, 0, tzinfo=UTC)  # paused (no digital) past 10 April; nothing skipped
    clock.move_to(back)

    page = visible_text(subscriber_client.post("/account/pause/resume/", follow=True))

    assert "Next renewal April 12, 2027: $9.00" in page
    assert run_renewals() == {"renewed": 1}
    renewal = Payment.objects.get(status=Payment.SUCCEEDED, period_start__gt=START)
    assert renewal.period_start == back and amounts_charged() == [900, 900]


def test_the_renewal_run_never_charges_a_paused_subscription(subscriber_client, clock, run_renewals):
    # A pause made before the charge moved to at least the resume date: its renewal falls inside it.
    pause(subscriber_client, 2)
    Subscription.objects.update(current_period_end=PAID_UNTIL)

    for day in range(31, 46):
        clock.move_to(START + datetime.timedelta(days=day))
        assert run_renewals() == {}
    assert amounts_charged() == [900]
    clock.move_to(BACK_AFTER_TWO)
    assert run_renewals() == {"renewed": 1}


def test_a_pause_made_before_this_rule_has_its_renewal_moved_out_of_it_when_the_migration_runs(
    transactional_db, django_db_serialized_rollback, subscriber_client, clock
):
    clock.move_to(LATE_PAUSE)
    pause(subscriber_client, 1)
    before, after = ("subscriptions", "0014_pause_charge_moved_from"), ("subscriptions", "0015_pause_charge_moved_by")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        # As the code before it left such a pause: moved by the skipped issue's time only, to inside the pause.
        Subscription.objects.update(current_period_end=datetime.datetime(2027, 4, 24, 9, 0, tzinfo=UTC))
        executor = MigrationExecutor(connection)
        executor.migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "Next renewal May 9, 2027: $9.00" in visible_text(subscriber_client.get("/account/"))
    assert Subscription.objects.get().events.filter(kind="pause_renewal_moved").count() == 1
    page = visible_text(subscriber_client.post("/account/pause/resume/", follow=True))
    assert "Next renewal April 10, 2027: $9.00" in page
