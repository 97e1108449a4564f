"""Print runs in the Wagtail admin, as circulation staff use them, and kept from everyone else."""

from __future__ import annotations

import datetime
import html

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from masthead.circulation.models import MailingList
from masthead.circulation.panels import PrintRunPanel
from masthead.circulation.services import close_issue, subscriber_reference
from masthead.editions.models import Issue
from masthead.subscriptions.models import PostalAddress
from tests.billing.pages import visible_text
from tests.circulation.conftest import CLOSES_AT, at
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def private_urls(issue: Issue) -> list[str]:
    return [
        reverse("print_runs:index"),
        reverse("print_runs:detail", args=[issue.pk]),
        reverse("print_runs:csv", args=[issue.pk]),
        reverse("print_runs:labels", args=[issue.pk]),
    ]


def test_an_anonymous_visitor_is_sent_to_the_admin_login_and_sees_no_address(ledger, issue, anonymous):
    for url in private_urls(issue):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]
        assert b"Court Street" not in response.content
    assert not MailingList.objects.exists()  # a refused download does not close the issue either


def test_a_reader_is_sent_to_log_in_and_sees_no_address(ledger, issue, reader_client):
    for url in private_urls(issue):
        response = reader_client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]
        assert b"Court Street" not in response.content


def test_an_editor_without_the_circulation_permission_is_refused(ledger, issue, editor_client):
    for url in private_urls(issue):
        response = editor_client.get(url)
        assert response.status_code == 403, url
        assert "mailing lists hold subscribers' addresses" in html.unescape(response.content.decode()), url
        assert b"Court Street" not in response.content
        assert response["Content-Type"].startswith("text/html")
    assert not MailingList.objects.exists()


def test_the_menu_item_is_shown_to_circulation_staff_only(circulation_client, editor_client):
    url = reverse("print_runs:index")

    assert url in circulation_client.get(reverse("wagtailadmin_home")).content.decode()
    assert url not in editor_client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_superuser_may_download_the_list(ledger, issue, admin_persona_client):
    response = admin_persona_client.get(reverse("print_runs:csv", args=[issue.pk]))

    assert response.status_code == 200
    assert b"Court Street" in response.content


def test_the_print_runs_page_shows_each_issue_with_its_print_run_and_change(
    ledger, issue, next_issue, circulation_client
):
    text = visible_text(circulation_client.get(reverse("print_runs:index")))

    # Newest first: the next issue (provisional) and this one (closed at midnight, not stored yet).
    assert "Vol. 8, No. 13 (July 1, 2027) 24 Jun 2027 Provisional until the close date 5 (provisional) −1" in text
    assert (
        "Vol. 8, No. 12 (June 15, 2027) 8 Jun 2027 Closed: stored by the next closing run or the first download 6"
        in text
    )


def test_downloading_a_closed_issue_s_list_stores_it_and_names_who_did(ledger, issue, circulation_client):
    circulation_client.get(reverse("print_runs:csv", args=[issue.pk]))

    stored = MailingList.objects.get(issue=issue)
    assert stored.closed_by == "staff:cora@example.com"
    assert stored.closes_at == CLOSES_AT
    text = visible_text(circulation_client.get(reverse("print_runs:detail", args=[issue.pk])))
    assert "Print run 6 Close date 8 June 2027" in text
    assert "Stored 9 June 2027, 00:30 UTC by staff:cora@example.com" in text
    assert "Provisional" not in text


def test_the_same_issue_downloads_the_same_list_twice_whatever_happened_between(ledger, issue, circulation_client):
    url = reverse("print_runs:csv", args=[issue.pk])
    first = circulation_client.get(url).content

    ledger.advance_to(at(6, 10, 15))
    ledger.move("yusuf", "yusuf_moved")
    ledger.cancel("alice")
    ledger.subscribe("nina", "digital-print-yearly")
    ledger.advance_to(at(6, 20, 9))

    assert circulation_client.get(url).content == first


def test_before_the_close_the_page_shows_a_provisional_list_and_stores_nothing(ledger, next_issue, circulation_client):
    text = visible_text(circulation_client.get(reverse("print_runs:detail", args=[next_issue.pk])))

    assert "Provisional. This issue closes at the end of 24 June 2027 (UTC time)." in text
    assert "Print run 5 (provisional)" in text
    assert "Yusuf Young" in text and "12 Court Street, Apt 4, Brooklyn NY" in text
    assert "Hank Hill" not in text  # his paid period ends before this issue closes
    assert not MailingList.objects.exists()


def test_the_print_runs_page_takes_the_same_queries_for_two_issues_or_twenty(
    ledger, issue, next_issue, circulation_client
):
    close_issue(issue)
    url = reverse("print_runs:index")
    circulation_client.get(url)  # warm Wagtail's per-process caches
    with CaptureQueriesContext(connection) as few:
        circulation_client.get(url)

    for month in range(3, 12):
        for day in (1, 15):
            IssueFactory(cover_date=datetime.date(2026, month, day), cover_image=None)
    with CaptureQueriesContext(connection) as many:
        response = circulation_client.get(url)

    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_issue_s_edit_page_panel_shows_the_print_run_to_circulation_staff_only(
    ledger, issue, next_issue, circulation, editor
):
    panel = PrintRunPanel().bind_to_model(Issue)
    request = RequestFactory().get("/")

    request.user = circulation
    bound = panel.get_bound_panel(instance=next_issue, request=request, form=None)
    assert bound.is_shown()
    html = bound.render_html()
    assert 'Print run: <strong class="print-run">5</strong> (provisional until the end of 24 June 2027)' in html
    assert "−1</span> from the issue before" in html
    assert reverse("print_runs:csv", args=[next_issue.pk]) in html

    request.user = editor
    assert not panel.get_bound_panel(instance=next_issue, request=request, form=None).is_shown()


def test_the_issue_s_edit_page_shows_its_print_run(ledger, issue, next_issue, admin_persona_client):
    """The real edit view, with the panel editions adds as docs/editions.md ("Print edition") asks."""
    response = admin_persona_client.get(reverse("wagtailsnippets_editions_issue:edit", args=[next_issue.pk]))

    assert response.status_code == 200
    text = visible_text(response)
    assert "Print run Print run: 5 (provisional until the end of 24 June 2027); −1 from the issue before." in text


def test_each_issue_in_the_issues_listing_links_to_its_print_run(ledger, issue, admin_persona_client):
    html = admin_persona_client.get(reverse(Issue.snippet_viewset.get_url_name("list"))).content.decode()

    assert reverse("print_runs:detail", args=[issue.pk]) in html


def test_a_staff_member_in_another_time_zone_closes_the_issue_at_the_magazine_s_midnight(
    ledger, issue, circulation, circulation_client, settings
):
    """Wagtail shows Cora the admin in her own zone (Tokyo); the magazine keeps New York time."""
    settings.TIME_ZONE = "America/New_York"
    profile = UserProfile.get_for_user(circulation)
    profile.current_time_zone = "Asia/Tokyo"
    profile.save()
    url = reverse("print_runs:csv", args=[issue.pk])

    ledger.advance_to(at(6, 9, 1))  # 10:00 on 9 June in Tokyo, 21:00 on 8 June (the close date) in New York
    response = circulation_client.get(url)

    assert response["Content-Disposition"].endswith('-PROVISIONAL.csv"')
    assert not MailingList.objects.exists()

    ledger.advance_to(at(6, 9, 4, 30))  # 00:30 on 9 June in New York
    circulation_client.get(url)

    stored = MailingList.objects.get(issue=issue)
    assert stored.closes_at == at(6, 9, 4, 0)  # midnight in New York, whichever zone Cora works in
    text = visible_text(circulation_client.get(reverse("print_runs:detail", args=[issue.pk])))
    assert "as they stand at the end of that day, America/New_York time" in text
    assert "Stored 9 June 2027, 00:30 EDT by staff:cora@example.com" in text


def test_the_print_run_page_names_each_print_subscriber_it_cannot_mail_so_staff_can_chase_them(
    ledger, issue, circulation_client
):
    # Cody's only address was entered after the close (as imported records can have).
    PostalAddress.objects.filter(reader=ledger.readers["cody"]).update(valid_from=at(6, 10))

    text = visible_text(circulation_client.get(reverse("print_runs:detail", args=[issue.pk])))

    cody = subscriber_reference(ledger.readers["cody"].pk)
    assert "Not on the list 1 print subscriber with no address in force at the close" in text
    assert f"Subscriber Name Email {cody} Cody Reader cody@example.com" in text
    ledger.move("cody", "cody")  # he gives his address after the close: the stored list still names him
    text = visible_text(circulation_client.get(reverse("print_runs:detail", args=[issue.pk])))
    assert f"{cody} Cody Reader cody@example.com" in text


def test_the_issue_s_edit_page_in_the_admin_carries_the_print_run_panel(ledger, next_issue, admin_persona_client):
    response = admin_persona_client.get(f"/admin/snippets/editions/issue/edit/{next_issue.pk}/")

    assert response.status_code == 200
    assert 'Print run: <strong class="print-run">5</strong>' in response.content.decode()
