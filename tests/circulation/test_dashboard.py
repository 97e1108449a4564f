"""The circulation dashboard, as Cora (circulation staff) reads it, on a ledger small enough to check by hand.

Three readers, built through the ledger's own services on a clock that moves day by day with the
renewal run at noon (tests/circulation/conftest.py), the magazine in UTC, issues closing 7 days
before their cover date:
- Alice pays $9.00 a month for Digital from 10 January 2027; renewed 10 February and 10 March;
- Rhea pays $150.00 for a year of Digital + Print on 15 January, and is refunded under the
  guarantee on 1 February;
- Pia pays $15.00 for a month of Digital + Print on 20 January; her card declines at the renewal
  on 20 February and at every retry, so her subscription lapses on 27 February.
Issues: 1 February (closes 25 January), 15 February, 1 March, 15 March (closes 8 March).
It is 15 March 2027, 09:00.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.circulation.reports import build_dashboard
from masthead.circulation.services import close_due_issues
from masthead.circulation.tasks import store_circulation_days
from masthead.editions.models import Issue
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Plan, Subscription
from masthead.subscriptions.services import do_refund_under_guarantee, store_card
from tests.circulation.conftest import CARD, Ledger, at
from tests.factories import IssueFactory
from tests.reading import parsed, words

NOW = at(3, 15, 9)


@pytest.fixture
def small_ledger(db, clock, make_user) -> Ledger:
    names = ["alice", "rhea", "pia"]
    readers = {name: make_user(name, first_name=name.title(), last_name="Reader") for name in names}
    book = Ledger(clock=clock, readers=readers, staff=None)
    for cover in ["2027-02-01", "2027-02-15", "2027-03-01", "2027-03-15"]:
        IssueFactory(cover_date=datetime.date.fromisoformat(cover), cover_image=None)
    book.advance_to(at(1, 10))
    book.subscribe("alice", "digital-monthly")
    book.advance_to(at(1, 15))
    book.subscribe("rhea", "digital-print-yearly")
    book.advance_to(at(1, 20))
    book.subscribe("pia", "digital-print-monthly")
    book.card_starts_declining("pia")
    book.advance_to(at(2, 1))
    do_refund_under_guarantee(book.subscription("rhea"), actor="reader", gateway=SandboxGateway())
    book.advance_to(NOW)
    close_due_issues()
    return book


def figure(page, name: str) -> str:
    return words(parsed(page).select_one(f".figure-{name}"))


def table_rows(page, slug: str) -> dict[str, list[str]]:
    """The table's rows by their first cell, as the page shows them."""
    table = parsed(page).select_one(f"#table-{slug}")
    return {words(row.select_one("th")): [words(cell) for cell in row.select("td")] for row in table.select("tbody tr")}


def test_the_manager_sees_subscribers_mrr_churn_and_lifetime_today(small_ledger, circulation_client):
    page = circulation_client.get("/admin/circulation/")

    assert page.status_code == 200
    assert figure(page, "subscribers") == "1"
    assert figure(page, "mrr") == "$9.00"
    assert figure(page, "churn") == "66.7%"  # two of February's three first-day subscribers ended in it
    # Rhea's 17 days and Pia's 38 days and 3 hours: 27.6 days on average, 0.9 of a month.
    assert figure(page, "lifetime") == "0.9 months"


def test_the_plans_table_counts_live_subscribers_only(small_ledger, circulation_client):
    rows = table_rows(circulation_client.get("/admin/circulation/"), "plans")

    assert rows == {"Digital, monthly": ["Digital", "1", "1", "0", "0", "0"]}


def test_the_plans_table_counts_a_reader_in_dunning_and_a_complimentary_one_and_leaves_out_the_refunded(
    db, clock, make_user, circulation, circulation_client
):
    readers = {name: make_user(name) for name in ["alice", "pia", "rhea", "cody"]}
    book = Ledger(clock=clock, readers=readers, staff=circulation)
    book.advance_to(at(1, 20))
    book.subscribe("alice", "digital-monthly")
    book.subscribe("pia", "digital-print-monthly")
    book.subscribe("rhea", "digital-print-monthly")
    book.grant_complimentary("cody", until=at(12, 31))
    book.card_starts_declining("pia")
    do_refund_under_guarantee(book.subscription("rhea"), actor="reader", gateway=SandboxGateway())
    book.advance_to(at(2, 21, 9))  # Pia's renewal failed yesterday at noon: past due, still a subscriber
    circulation_client.force_login(circulation)

    page = circulation_client.get("/admin/circulation/")

    # Subscribers, paying, complimentary, in a free trial, past due.
    assert table_rows(page, "plans") == {
        "Digital + Print, monthly": ["Print and digital", "1", "1", "0", "0", "1"],
        "Digital + Print, yearly": ["Print and digital", "1", "0", "1", "0", "0"],
        "Digital, monthly": ["Digital", "1", "1", "0", "0", "0"],
    }
    assert figure(page, "subscribers") == "3"


def test_each_month_shows_who_joined_renewed_was_refunded_and_lapsed_and_the_mrr_at_its_end(
    small_ledger, circulation_client
):
    rows = table_rows(circulation_client.get("/admin/circulation/"), "months")

    # Subscribers at the end, new, renewed, cancelled, refunded, lapsed, ended, churn, MRR.
    # January's MRR: Alice's $9.00, a twelfth of Rhea's $150.00 and Pia's $15.00.
    assert rows["January 2027"] == ["3", "3", "0", "0", "0", "0", "0", "", "$36.50"]
    assert rows["February 2027"] == ["1", "0", "1", "0", "1", "1", "2", "66.7%", "$9.00"]
    assert rows["March 2027 (so far)"] == ["1", "0", "1", "0", "0", "0", "0", "0.0%", "$9.00"]


def test_each_issue_shows_what_changed_up_to_its_close_and_its_print_run(small_ledger, circulation_client):
    rows = table_rows(circulation_client.get("/admin/circulation/"), "issues")

    assert [row[1:] for row in rows.values()] == [
        ["3", "0", "0", "0", "0", "2", ""],  # up to 25 January: three new; Rhea and Pia are mailed
        ["0", "0", "0", "1", "0", "1", "\u22121"],  # Rhea refunded on 1 February
        ["0", "1", "0", "0", "0", "1", "no change"],  # Alice renewed; Pia past due, still mailed
        ["0", "0", "0", "0", "1", "0", "\u22121"],  # Pia lapsed on 27 February (Alice renews after the close)
    ]


def test_a_plain_editor_is_refused(small_ledger, editor_client):
    assert editor_client.get("/admin/circulation/").status_code == 403
    assert editor_client.get("/admin/circulation/months.csv").status_code == 403


def test_the_months_table_downloads_as_csv_with_plain_numbers(small_ledger, circulation_client):
    response = circulation_client.get("/admin/circulation/months.csv?span=12")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Month", "Subscribers at the end", "New"]
    assert rows[0][-1] == "MRR (USD)"
    by_month = {row[0]: row[1:] for row in rows[1:]}
    assert list(by_month) == ["January 2027", "February 2027", "March 2027 (so far)"]  # since the ledger began
    assert by_month["January 2027"] == ["3", "3", "0", "0", "0", "0", "0", "", "36.50"]
    assert by_month["February 2027"] == ["1", "0", "1", "0", "1", "1", "2", "66.67", "9.00"]


def test_the_admin_home_shows_circulation_staff_the_headline_figures_and_the_way_to_the_dashboard(
    small_ledger, circulation_client, editor_client
):
    panel = parsed(circulation_client.get("/admin/")).select_one("#circulation-panel-heading").parent

    assert "Subscribers today 1 (0 with print, 1 digital only)" in words(panel)
    assert "Monthly recurring revenue $9.00 (no change since the end of last month)" in words(panel)
    assert "Churn last month 66.7%" in words(panel)
    assert panel.select_one("a")["href"] == "/admin/circulation/"
    assert parsed(editor_client.get("/admin/")).select_one("#circulation-panel-heading") is None


def test_a_plan_name_that_looks_like_a_formula_is_written_to_csv_as_text(small_ledger, circulation_client):
    Plan.objects.filter(slug="digital-monthly").update(name='=HYPERLINK("http://evil.example")')

    response = circulation_client.get("/admin/circulation/plans.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][1:] == ["Digital", "1", "1", "0", "0", "0"]


@pytest.mark.parametrize("span", [12, 24, 60])
def test_each_tables_csv_file_holds_the_figures_of_the_table_on_the_page(small_ledger, circulation_client, span):
    """A file reads only what its table needs (reports.build_table); its figures are those the page draws."""
    Subscription.objects.filter(reader=small_ledger.readers["alice"]).update(door="paywall", door_article_id=4242)
    Subscription.objects.filter(reader=small_ledger.readers["pia"]).update(door="footer")
    page = build_dashboard(span=span)

    files = {
        table.slug: circulation_client.get(f"/admin/circulation/{table.slug}.csv?span={span}").content.decode("utf-8")
        for table in page.tables
    }

    assert files == {table.slug: table.csv() for table in page.tables}
    rows = {slug: list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) for slug, text in files.items()}
    assert rows["doors"][1:] == [["None recorded", "1", "0"], ["Footer", "1", "0"], ["Paywall box", "1", "1"]]
    assert rows["articles"][1:] == [["Page 4242 (deleted)", "1", "1"]]
    assert [row[0] for row in rows["issues"][1:]] == [str(issue) for issue in Issue.objects.order_by("cover_date")]
    assert [row[-2:] for row in rows["issues"][1:]] == [["2", ""], ["1", "-1"], ["1", "0"], ["0", "-1"]]  # a number


def test_an_unknown_table_is_not_found(small_ledger, circulation_client):
    assert circulation_client.get("/admin/circulation/readers.csv").status_code == 404


def test_the_dashboard_costs_the_same_queries_however_long_the_ledger(
    small_ledger, circulation, circulation_client, make_user
):
    """Figures are aggregated in the database: more subscribers, months or issues add no queries."""
    circulation_client.get("/admin/circulation/")  # the first view keeps the days over so far
    with CaptureQueriesContext(connection) as few:
        circulation_client.get("/admin/circulation/")
    for name, plan in [
        ("dana", "digital-yearly"),
        ("carla", "digital-print-monthly"),
        ("hank", "digital-print-yearly"),
    ]:
        small_ledger.readers[name] = make_user(name)
        small_ledger.subscribe(name, plan)
    IssueFactory(cover_date=datetime.date(2027, 4, 1), cover_image=None)
    small_ledger.advance_to(at(5, 20))
    close_due_issues()
    circulation_client.force_login(circulation)  # two months on, Cora logs in again
    circulation_client.get("/admin/circulation/")
    with CaptureQueriesContext(connection) as more:
        assert circulation_client.get("/admin/circulation/?span=60").status_code == 200

    assert len(more.captured_queries) == len(few.captured_queries) <= 40


def test_a_renewal_paid_on_a_late_retry_counts_from_its_period_once_the_hourly_job_draws_the_days_again(
    db, clock, make_user, circulation, circulation_client
):
    readers = {name: make_user(name) for name in ["alice", "pia"]}
    book = Ledger(clock=clock, readers=readers, staff=None)
    book.advance_to(at(1, 20))
    book.subscribe("alice", "digital-monthly")
    book.subscribe("pia", "digital-print-monthly")
    book.card_starts_declining("pia")
    book.advance_to(at(2, 21, 9))  # Pia's renewal failed yesterday at noon: she is past due
    circulation_client.force_login(circulation)
    assert figure(circulation_client.get("/admin/circulation/"), "mrr") == "$9.00"  # keeps the days to 20 February

    store_card(readers["pia"], CARD, SandboxGateway())  # a new card: the retry at noon pays
    book.advance_to(at(2, 21, 13))
    stale = figure(circulation_client.get("/admin/circulation/"), "mrr")
    store_circulation_days.enqueue()  # the hourly job

    assert stale == "$9.00"  # the paid period began on 20 February, a day already kept
    assert figure(circulation_client.get("/admin/circulation/"), "mrr") == "$24.00"
