"""The account page: the subscription, payments with numbered receipts (HTML and PDF), the print address."""

from __future__ import annotations

import datetime
import io

from pypdf import PdfReader

from masthead.subscriptions.models import Receipt
from masthead.subscriptions.queries import address_on
from tests.billing.pages import BROOKLYN_FORM, LONDON_FORM, START, address_fields, visible_text


def receipts_of(user) -> list[Receipt]:
    return list(Receipt.objects.filter(payment__subscription__reader=user).order_by("pk"))


def test_a_reader_without_a_subscription_is_shown_the_plans(reader_client):
    text = visible_text(reader_client.get("/account/"))

    assert "You do not have a subscription yet." in text
    assert "No payments yet." in text


def test_a_lapsed_subscriber_sees_the_ended_subscription_and_the_old_payment(lapsed_subscriber_client):
    text = visible_text(lapsed_subscriber_client.get("/account/"))

    assert "Plan Digital, monthly" in text
    assert "Status Ended November 2, 2026" in text
    assert "Subscribe again" in text
    assert "Oct 1, 2026 Digital, monthly $9.00 R-" in text


def test_the_account_page_lists_every_payment_with_its_numbered_receipt(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC))
    run_renewals()

    text = visible_text(subscriber_client.get("/account/"))

    first, renewal = receipts_of(subscriber)
    assert f"Apr 10, 2027 Digital, monthly $9.00 {renewal.number} (PDF)" in text
    assert f"Mar 10, 2027 Digital, monthly $9.00 {first.number} (PDF)" in text
    assert text.index(renewal.number) < text.index(first.number)
    assert "Next renewal May 10, 2027: $9.00" in text


def test_a_receipt_shows_what_was_paid_for_and_how_much(subscriber_client, subscriber):
    [receipt] = receipts_of(subscriber)

    text = visible_text(subscriber_client.get(f"/account/receipts/{receipt.pk}/"))

    assert f"Receipt {receipt.number}" in text
    assert "Billed to sam@example.com" in text
    assert "Item Digital, monthly, March 10, 2027 to April 10, 2027" in text
    assert "Amount paid $9.00" in text


def test_a_receipt_downloads_as_a_pdf_carrying_its_number_and_amount(subscriber_client, subscriber):
    [receipt] = receipts_of(subscriber)

    response = subscriber_client.get(f"/account/receipts/{receipt.pk}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{receipt.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Receipt {receipt.number}" in text
    assert "$9.00" in text


def test_another_readers_receipt_is_not_found(reader_client, subscriber):
    [receipt] = receipts_of(subscriber)

    assert reader_client.get(f"/account/receipts/{receipt.pk}/").status_code == 404
    assert reader_client.get(f"/account/receipts/{receipt.pk}/pdf/").status_code == 404


def test_a_visitor_must_log_in_to_see_a_receipt(anonymous, subscriber):
    [receipt] = receipts_of(subscriber)

    response = anonymous.get(f"/account/receipts/{receipt.pk}/")

    assert response["Location"] == f"/account/login/?next=/account/receipts/{receipt.pk}/"


def test_a_changed_print_address_applies_from_now_and_the_old_one_answers_for_earlier(
    print_subscriber_client, print_subscriber, clock
):
    clock.move_to(START + datetime.timedelta(days=20))
    form = visible_text(print_subscriber_client.get("/account/address/"))
    assert "A new address applies to the next issue that has not yet gone to the printer." in form

    response = print_subscriber_client.post("/account/address/", address_fields(LONDON_FORM), follow=True)

    text = visible_text(response)
    assert "Your address is changed; it applies from the next issue still being prepared." in text
    assert "Print address Pat Print 10 Downing Street LONDON SW1A 2AA UNITED KINGDOM" in text
    assert address_on(print_subscriber, START + datetime.timedelta(days=20)).city == "London"
    assert address_on(print_subscriber, START + datetime.timedelta(days=19)).city == "Brooklyn"
    assert address_on(print_subscriber, START).city == "Brooklyn"


def test_the_address_form_starts_from_the_current_address(print_subscriber_client):
    page = print_subscriber_client.get("/account/address/").content.decode()

    assert 'name="address-line1" value="12 Court Street"' in page
    assert 'name="address-postal_code" value="11201"' in page


def test_a_bad_new_address_is_refused_and_the_old_one_stays(print_subscriber_client, print_subscriber, clock):
    clock.shift(datetime.timedelta(days=3))

    response = print_subscriber_client.post(
        "/account/address/", address_fields({**BROOKLYN_FORM, "line1": "99 Atlantic Avenue", "postal_code": "ABCDE"})
    )

    assert response.status_code == 200
    assert "Enter a ZIP code such as 10000." in visible_text(response)
    assert 'name="address-line1" value="99 Atlantic Avenue"' in response.content.decode()
    assert address_on(print_subscriber, START + datetime.timedelta(days=3)).line1 == "12 Court Street"
