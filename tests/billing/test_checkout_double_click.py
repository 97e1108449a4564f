"""Two presses of Pay at once: one charge, one customer, one card, and the card kept is the card charged."""

from __future__ import annotations

from masthead.subscriptions.models import GatewayCustomer, SandboxCharge, SandboxPaymentMethod, Subscription
from tests.billing.pages import GOOD_CARD, browser_for, card_fields, hidden_value, visible_text


def test_a_double_clicked_checkout_keeps_one_card_for_one_customer_and_it_is_the_card_charged(at_once, reader):
    first_click, second_click = browser_for(reader), browser_for(reader)
    form = first_click.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))

    answers = at_once(
        lambda: first_click.post("/subscribe/digital-monthly/", data),
        lambda: second_click.post("/subscribe/digital-monthly/", data),
    )

    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, "/account/")] * 2
    assert Subscription.objects.filter(reader=reader).count() == 1
    [charge] = SandboxCharge.objects.all()
    [card] = SandboxPaymentMethod.objects.all()
    kept = GatewayCustomer.objects.get(reader=reader)
    assert (charge.customer_ref, charge.payment_method_ref) == (card.customer_ref, card.ref)
    assert (kept.customer_ref, kept.payment_method_ref) == (card.customer_ref, card.ref)
    text = visible_text(second_click.get("/account/"))
    assert "Welcome! Your Digital, monthly subscription is active." in text
    assert "Card Visa ending 4242" in text


def test_pay_pressed_again_after_the_first_press_finished_answers_as_the_first_did(reader):
    browser = browser_for(reader)
    form = browser.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))

    first = browser.post("/subscribe/digital-monthly/", data)
    browser.get("/account/")  # the first answer's page, read and gone
    again = browser.post("/subscribe/digital-monthly/", data)

    assert (first["Location"], again["Location"]) == ("/account/", "/account/")
    assert SandboxCharge.objects.count() == 1
    text = visible_text(browser.get("/account/"))
    assert "Welcome! Your Digital, monthly subscription is active." in text
    assert "You already have a subscription" not in text
