"""Who is mailed an issue, and where: the ledger's rules at the issue's close, stored once and kept."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from masthead.access.entitlements import entitlements_for
from masthead.circulation import services
from masthead.circulation.models import MailingList
from masthead.circulation.services import (
    IssueStillOpen,
    close_issue,
    closes_at,
    issues_due_to_close,
    mailing_list_for,
    print_runs,
    print_subscribers_on,
    subscriber_reference,
)
from masthead.circulation.tasks import close_due_issues
from masthead.subscriptions.models import PostalAddress, Subscription
from masthead.subscriptions.queries import print_subscriptions_active_at
from tests.circulation.conftest import AFTER_THE_CLOSE, CLOSES_AT, after_the_close, at

pytestmark = pytest.mark.django_db

ON_THE_LIST = [
    ("Carla Klein", "Unter den Linden 5", "Berlin", "10117", "DE"),
    ("Alice Archer", "221B Baker Street", "London", "NW1 6XE", "GB"),
    ("Paolo Rossi", "Via del Corso 1", "Roma", "00186", "IT"),
    ("Yusuf Young", "12 Court Street", "Brooklyn", "11201", "US"),
    ("Hank Hill", "500 Main Street", "Springfield", "62701", "US"),
    ("Cody Comp", "1 Infinite Loop", "Cupertino", "95014", "US"),
]


def addressees(rows) -> list[tuple[str, str, str, str, str]]:
    return [(row.name, row.line1, row.city, row.postal_code, row.country) for row in rows]


def names(rows) -> set[str]:
    return {row.name.split()[0].lower() for row in rows}


def test_an_issue_closes_at_the_end_of_its_close_date(issue):
    assert issue.close_date == datetime.date(2027, 6, 8)
    assert closes_at(issue) == CLOSES_AT


def test_the_close_is_midnight_in_the_magazine_s_time_zone_whatever_zone_is_active(issue, settings):
    settings.TIME_ZONE = "America/New_York"
    midnight_in_new_york = datetime.datetime(2027, 6, 9, 4, 0, tzinfo=datetime.UTC)  # EDT is UTC-4

    with timezone.override(ZoneInfo("Asia/Tokyo")):  # as Wagtail's admin does for a staff member in Tokyo
        assert closes_at(issue) == midnight_in_new_york
        # 10:00 on 9 June in Tokyo is still 8 June, the close date, in New York: not due yet.
        assert issue not in issues_due_to_close(datetime.datetime(2027, 6, 9, 1, 0, tzinfo=datetime.UTC))
        assert issue in issues_due_to_close(datetime.datetime(2027, 6, 9, 4, 30, tzinfo=datetime.UTC))


def test_the_list_is_everyone_entitled_to_print_at_the_close_at_the_address_in_force_then(ledger, issue):
    drawn = print_subscribers_on(CLOSES_AT)

    assert addressees(drawn.rows) == ON_THE_LIST
    assert drawn.unmailed == []


@pytest.mark.parametrize(
    ("persona", "why"),
    [
        ("dana", "a digital-only plan"),
        ("ed", "cancelled, and the paid period ended before the close"),
        ("rhea", "refunded under the guarantee"),
        ("xena", "a complimentary subscription that expired"),
        ("pia", "past due until the last retry failed, before the close"),
        ("nina", "subscribed after the close"),
    ],
)
def test_these_are_not_mailed_the_issue(ledger, issue, persona, why):
    after_the_close(ledger, at(6, 12, 13))
    close_issue(issue)

    assert persona not in names(issue.mailing_list.rows.all()), why


@pytest.mark.parametrize(
    ("persona", "why"),
    [
        ("alice", "monthly print, renewed before the close"),
        ("yusuf", "yearly print"),
        ("carla", "cancelled, but paid until after the close"),
        ("hank", "cancelled, paid until two days after the close"),
        ("paolo", "past due and still retrying at the close"),
        ("cody", "complimentary print"),
    ],
)
def test_these_are_mailed_the_issue(ledger, issue, persona, why):
    close_issue(issue)

    assert persona in names(issue.mailing_list.rows.all()), why


def test_the_rule_is_the_one_the_paywall_applies_now(ledger):
    """At each moment, the query and entitlements_for agree on who receives print."""
    for moment in [AFTER_THE_CLOSE, at(6, 10, 11), at(6, 10, 13), at(6, 12, 13), at(6, 25, 10), at(7, 5, 10)]:
        ledger.advance_to(moment)
        mailed = set(print_subscriptions_active_at(moment).values_list("reader__username", flat=True))
        entitled = {name for name, reader in ledger.readers.items() if entitlements_for(reader, moment).print}
        assert mailed == entitled, moment


def test_for_a_past_moment_a_live_subscription_is_judged_by_grants_access(ledger):
    for hours_ago in [0, 1, 12, 24, 30, 72]:
        moment = AFTER_THE_CLOSE - datetime.timedelta(hours=hours_ago)
        mailed = set(print_subscriptions_active_at(moment).values_list("pk", flat=True))
        for subscription in Subscription.objects.filter(status__in=Subscription.LIVE_STATUSES, started_at__lte=moment):
            expected = subscription.plan.includes_print and subscription.grants_access(moment)
            assert (subscription.pk in mailed) == expected, (subscription, moment)


def test_an_address_changed_on_the_close_date_reaches_the_issue_and_one_changed_after_reaches_the_next(
    ledger, issue, next_issue
):
    after_the_close(ledger, at(6, 12, 13))

    this_issue = {row.name: row.line1 for row in mailing_list_for(issue, actor="test").rows}
    next_one = {row.name: row.line1 for row in mailing_list_for(next_issue, actor="test").rows}

    assert this_issue["Alice Archer"] == "221B Baker Street"  # moved on 8 June, the close date
    assert this_issue["Yusuf Young"] == "12 Court Street"  # moved on 10 June, after it
    assert next_one["Yusuf Young"] == "350 Fifth Avenue"
    assert "Nina New" in next_one


def test_the_list_is_sorted_by_country_then_postal_code_then_name_for_the_printer(ledger, issue):
    rows = close_issue(issue).rows.all()

    assert [(row.country, row.postal_code) for row in rows] == [
        ("DE", "10117"),
        ("GB", "NW1 6XE"),
        ("IT", "00186"),
        ("US", "11201"),
        ("US", "62701"),
        ("US", "95014"),
    ]
    assert [row.position for row in rows] == list(range(6))


def test_a_stored_list_stays_as_it_was_whatever_happens_after(ledger, issue):
    stored = close_issue(issue)
    first = addressees(stored.rows.all())

    after_the_close(ledger, at(6, 14, 13))  # Yusuf moves, Hank's period ends, Paolo's retries run out
    ledger.cancel("alice")
    ledger.move("carla", "xena")

    again = mailing_list_for(issue, actor="test")
    assert again.stored == stored
    assert addressees(again.rows) == first == ON_THE_LIST
    assert again.size == stored.row_count == 6


def test_a_list_drawn_days_late_still_counts_who_was_entitled_at_the_close(ledger, issue):
    after_the_close(ledger, at(6, 12, 13))
    assert ledger.subscription("hank").status == Subscription.ENDED  # his paid period ran out on 10 June
    assert ledger.subscription("paolo").status == Subscription.ENDED  # his last retry failed on 12 June

    assert addressees(close_issue(issue).rows.all()) == ON_THE_LIST


def test_an_issue_cannot_be_closed_before_its_close_date(ledger, issue):
    ledger.clock.move_to(CLOSES_AT - datetime.timedelta(seconds=1))

    with pytest.raises(IssueStillOpen):
        close_issue(issue)
    assert not MailingList.objects.exists()


def test_before_the_close_staff_see_a_provisional_list_that_is_not_stored(ledger, next_issue):
    preview = mailing_list_for(next_issue, actor="test")

    assert preview.provisional
    assert not MailingList.objects.exists()
    # Carla's paid period ends on 25 June, after this issue's close (end of 24 June); Hank's on 10 June.
    assert names(preview.rows) == {"alice", "yusuf", "carla", "paolo", "cody"}


def test_a_provisional_list_expects_renewing_subscriptions_to_renew(ledger, db):
    from tests.factories import IssueFactory

    august = IssueFactory(cover_date=datetime.date(2027, 8, 1), cover_image=None)  # closes at the end of 25 July

    preview = names(mailing_list_for(august, actor="test").rows)

    assert "alice" in preview  # her month ends on 5 July; the renewal run will renew it
    assert "carla" not in preview  # cancelled: her access ends on 25 June
    assert "paolo" in preview  # past due, still retrying


def test_the_closing_task_stores_every_issue_past_its_close_once(ledger, issue, next_issue):
    result = close_due_issues.enqueue()

    assert result.return_value == {"closed": 1, "issues": [issue.pk], "files_stored": 3}  # CSV, A4, Letter
    assert MailingList.objects.get().issue == issue
    assert close_due_issues.enqueue().return_value == {"closed": 0, "issues": [], "files_stored": 0}

    ledger.advance_to(datetime.datetime(2027, 6, 25, 0, 0, tzinfo=datetime.UTC))
    assert close_due_issues.enqueue().return_value == {"closed": 1, "issues": [next_issue.pk], "files_stored": 3}


def test_closing_twice_keeps_the_first_list(ledger, issue):
    first = close_issue(issue, actor="system:close_due_issues")
    ledger.move("alice", "xena")

    second = close_issue(issue, actor="staff:cora@example.com")

    assert second == first
    assert second.closed_by == "system:close_due_issues"
    assert MailingList.objects.count() == 1


def test_the_print_run_and_its_change_from_the_issue_before(ledger, issue, next_issue):
    close_issue(issue)
    after_the_close(ledger, at(6, 12, 13))

    before, after = print_runs([issue, next_issue])

    assert (before.size, before.provisional) == (6, False)
    # Hank and Paolo have gone, Nina has come: 5 copies, one fewer.
    assert (after.size, after.change, after.change_text, after.provisional) == (5, -1, "\u22121", True)


def test_the_print_run_counted_for_the_listing_is_the_number_of_addresses_on_the_list(ledger, issue, next_issue):
    for step in range(3):
        if step == 1:
            after_the_close(ledger, at(6, 12, 13))
        if step == 2:
            ledger.advance_to(at(6, 30, 13))
        for run in print_runs([issue, next_issue]):
            assert run.size == len(mailing_list_for(run.issue, actor="test").rows), (run.issue, step)


def test_a_print_subscriber_with_no_address_in_force_at_the_close_is_kept_apart_by_name_to_chase(ledger, issue):
    # An address entered after the close (as imported records can have) cannot be mailed this issue.
    PostalAddress.objects.filter(reader=ledger.readers["cody"]).update(valid_from=at(6, 10))

    stored = close_issue(issue)

    assert "cody" not in names(stored.rows.all())
    assert (stored.row_count, stored.missing_address_count) == (5, 1)
    cody = ledger.readers["cody"]
    assert [(person.subscriber_reference, person.name, person.email) for person in stored.unmailed.all()] == [
        (subscriber_reference(cody.pk), "Cody Reader", "cody@example.com")
    ]


def test_two_closings_at_once_store_one_list(ledger, issue, monkeypatch):
    """A second worker that loses the race to store the list returns the winner's, unchanged."""
    draw = services.print_subscribers_on

    def draw_while_another_worker_stores(moment, **kwargs):
        drawn = draw(moment, **kwargs)
        monkeypatch.setattr(services, "print_subscribers_on", draw)
        close_issue(issue, actor="system:close_due_issues")  # the other worker wins meanwhile
        return drawn

    monkeypatch.setattr(services, "print_subscribers_on", draw_while_another_worker_stores)
    mailing_list = close_issue(issue, actor="staff:cora@example.com")

    assert mailing_list.closed_by == "system:close_due_issues"
    assert MailingList.objects.count() == 1
    assert mailing_list.rows.count() == 6
