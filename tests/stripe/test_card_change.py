"""Changing the card through Stripe, against localstripe: a SetupIntent the server opens, the browser confirms.

The browser's part is what Stripe.js's confirmCardSetup sends (localstripe's stand-in at
STRIPE_JS_URL does the same from a page: tests/stripe/test_card_change_in_a_browser.py): the card
and the SetupIntent's client secret, with the publishable key, straight to Stripe; on 3-D Secure,
a second confirmation once the reader has passed their bank's check. Only the SetupIntent's id
comes back to Masthead, which reads it from Stripe before keeping the card.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.request

import pytest
import time_machine
from django.core import mail

from masthead.subscriptions.gateways.stripe import StripeGateway
from masthead.subscriptions.models import GatewayCustomer, Subscription
from masthead.subscriptions.services import renew_due_subscriptions, renew_subscription, store_card
from tests.billing.pages import browser_for, committed, visible_text
from tests.stripe.conftest import DECLINES_WHEN_CHARGED, card

pytestmark = pytest.mark.django_db

PUBLISHABLE_KEY = "pk_test_masthead"
MASTERCARD = "5555555555554444"  # localstripe calls every card a Visa
ASKS_FOR_3DS = "4000002500003155"  # the bank asks the cardholder to confirm (3-D Secure)


@pytest.fixture(autouse=True)
def publishable_key(stripe_settings):
    stripe_settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY


def confirm_like_stripe_js(localstripe_url: str, client_secret: str, number: str, *, passes_3ds: bool = True) -> dict:
    """Stripe.js's confirmCardSetup: the card to Stripe with the client secret; on 3-D Secure, the bank's answer."""
    setup_ref = client_secret.split("_secret_")[0]

    def confirm(body: dict, action: str = "confirm") -> dict:
        body = {"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret, **body}
        request = urllib.request.Request(  # noqa: S310 - our own 127.0.0.1 server
            f"{localstripe_url}/v1/setup_intents/{setup_ref}/{action}",
            data=json.dumps(body).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())

    card_data = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    first = confirm({"payment_method_data": {"type": "card", "card": card_data}})
    if first["status"] == "requires_action":
        return confirm({}, "confirm" if passes_3ds else "cancel")
    return first


def change_card(client, localstripe_url: str, number: str, **browser) -> object:
    """Open /account/card/, confirm its SetupIntent as the browser would, send the form; the page that follows."""
    page = client.get("/account/card/")
    assert page.status_code == 200
    secret = re.search(r'data-client-secret="([^"]+)"', page.content.decode()).group(1)
    setup = confirm_like_stripe_js(localstripe_url, secret, number, **browser)
    return client.post("/account/card/", {"setup_intent": setup["id"]}, follow=True)


@pytest.fixture
def sam(make_user, subscribe):
    """Sam pays monthly through Stripe with a Visa."""
    sam = make_user("sam", first_name="Sam", last_name="Subscriber")
    subscribe(sam)
    return sam


def test_the_card_page_loads_stripe_js_and_carries_its_setup_in_data_attributes(sam, stripe_settings):
    stripe_settings.STRIPE_JS_URL = "http://127.0.0.1:9/js.stripe.com/v3/"
    html = browser_for(sam).get("/account/card/").content.decode()

    assert '<script src="http://127.0.0.1:9/js.stripe.com/v3/" defer></script>' in html
    assert f'data-stripe-key="{PUBLISHABLE_KEY}"' in html
    assert re.search(r'data-client-secret="seti_\w+_secret_\w+"', html)
    assert "<script>" not in html  # no inline code: the policy would block it
    assert 'name="card_number"' not in html  # the card goes to Stripe, never through us


def test_a_subscriber_changes_card_and_the_next_renewal_charges_it(sam, localstripe_url, stripe_account):
    client = browser_for(sam)

    page = change_card(client, localstripe_url, MASTERCARD)

    assert "Your Visa card ending 4444 is saved: we will charge it from your next renewal." in visible_text(page)
    kept = GatewayCustomer.objects.get(reader=sam)
    customer = stripe_account.api.customers.retrieve(kept.customer_ref)
    assert customer.invoice_settings.default_payment_method == kept.payment_method_ref
    subscription = Subscription.objects.get(reader=sam)
    assert renew_subscription(subscription.pk, now=subscription.current_period_end) == "renewed"
    renewal = stripe_account.api.payment_intents.retrieve(subscription.payments.first().gateway_charge_ref)
    assert (renewal.status, renewal.amount, renewal.payment_method) == ("succeeded", 900, kept.payment_method_ref)


def test_a_past_due_subscription_is_charged_at_once_on_the_new_card(sam, localstripe_url, stripe_account):
    store_card(sam, card(DECLINES_WHEN_CHARGED), StripeGateway())
    subscription = Subscription.objects.get(reader=sam)
    due = subscription.current_period_end
    with committed():
        assert renew_due_subscriptions(now=due) == {"failed": 1}
    mail.outbox.clear()

    with time_machine.travel(due + datetime.timedelta(hours=3), tick=False):
        page = change_card(browser_for(sam), localstripe_url, MASTERCARD)

    assert "your overdue payment of $9.00 went through" in visible_text(page)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.ACTIVE
    kept = GatewayCustomer.objects.get(reader=sam)
    paid = [intent for intent in stripe_account.payment_intents(kept.customer_ref) if intent.status == "succeeded"]
    assert sorted((intent.amount, intent.payment_method == kept.payment_method_ref) for intent in paid) == [
        (900, False),
        (900, True),
    ]
    assert [email.subject.split(" R-")[0] for email in mail.outbox] == ["The Masthead Review: receipt"]


def test_a_setup_that_is_not_the_readers_own_is_refused(sam, make_user, subscribe, localstripe_url):
    rita = make_user("rita")
    subscribe(rita)
    ritas_page = browser_for(rita).get("/account/card/").content.decode()
    ritas_setup = confirm_like_stripe_js(
        localstripe_url, re.search(r'data-client-secret="([^"]+)"', ritas_page).group(1), MASTERCARD
    )
    before = GatewayCustomer.objects.get(reader=sam).payment_method_ref

    page = browser_for(sam).post("/account/card/", {"setup_intent": ritas_setup["id"]}, follow=True)

    assert "That card could not be found; please enter it again." in visible_text(page)
    assert GatewayCustomer.objects.get(reader=sam).payment_method_ref == before


def test_a_setup_the_bank_did_not_confirm_is_refused(sam, localstripe_url):
    before = GatewayCustomer.objects.get(reader=sam).payment_method_ref

    page = change_card(browser_for(sam), localstripe_url, ASKS_FOR_3DS, passes_3ds=False)

    assert "Your card was not confirmed, so it was not saved; please try again." in visible_text(page)
    assert GatewayCustomer.objects.get(reader=sam).payment_method_ref == before


def test_a_card_whose_bank_asks_for_3d_secure_is_kept_once_the_reader_confirms(sam, localstripe_url):
    page = change_card(browser_for(sam), localstripe_url, ASKS_FOR_3DS)

    assert "Your Visa card ending 3155 is saved" in visible_text(page)
    assert GatewayCustomer.objects.get(reader=sam).card_last4 == "3155"


def test_a_renewal_the_bank_wants_the_reader_to_authenticate_waits_for_them_then_ends(
    sam, localstripe_url, stripe_account
):
    """localstripe asks for 3-D Secure on every charge of this card, so the off-session renewal needs the reader."""
    change_card(browser_for(sam), localstripe_url, ASKS_FOR_3DS)
    subscription = Subscription.objects.get(reader=sam)
    due = subscription.current_period_end
    mail.outbox.clear()

    with committed():
        assert renew_due_subscriptions(now=due) == {"failed": 1}
    subscription.refresh_from_db()
    assert subscription.awaits_authentication()
    assert subscription.next_retry_at == due + datetime.timedelta(days=7)  # the last retry day
    intents = len(stripe_account.payment_intents())

    for day in (1, 3, 5):
        with committed():
            assert renew_due_subscriptions(now=due + datetime.timedelta(days=day, hours=1)) == {}
    assert len(stripe_account.payment_intents()) == intents  # not charged again blindly

    with committed():
        assert renew_due_subscriptions(now=due + datetime.timedelta(days=7, hours=1)) == {"ended": 1}
    subscription.refresh_from_db()
    assert subscription.status == Subscription.ENDED
    assert len(stripe_account.payment_intents()) == intents
    assert mail.outbox[-1].subject == "The Masthead Review: your subscription has ended"
    assert "/subscribe/" in mail.outbox[-1].body
