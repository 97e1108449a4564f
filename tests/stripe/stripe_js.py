"""What Stripe.js sends to Stripe from the reader's browser, for the tests that go without a browser.

The same requests localstripe's stand-in Stripe.js makes (with the publishable key, never the
secret one): confirmCardSetup confirms a SetupIntent with the card typed into the card field,
and answers its 3-D Secure dialog; confirmCardPayment answers a PaymentIntent's. The browser tests
(tests/browser/test_checkout_stripe.py) drive the real thing.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

from tests.stripe.conftest import PUBLISHABLE_KEY


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own localstripe
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def confirm_card_setup(base: str, client_secret: str, number: str, *, authenticate: bool = True) -> dict:
    """Stripe.confirmCardSetup(secret, {payment_method: {card}}): the SetupIntent, or {"error": ...}.

    When the bank asks (3-D Secure), `authenticate` is the reader's answer in its dialog.
    """
    setup_ref = re.match(r"^(seti_\w+)_secret_", client_secret).group(1)
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    answer = post(
        f"{base}/v1/setup_intents/{setup_ref}/confirm",
        {
            "key": PUBLISHABLE_KEY,
            "use_stripe_sdk": True,
            "client_secret": client_secret,
            "payment_method_data": {"type": "card", "card": card},
        },
    )
    if answer.get("status") != "requires_action":
        return answer
    step = "confirm" if authenticate else "cancel"
    return post(
        f"{base}/v1/setup_intents/{setup_ref}/{step}",
        {"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret},
    )


def confirm_card_payment(base: str, client_secret: str, *, authenticate: bool) -> dict:
    """Stripe.confirmCardPayment(secret): the reader's answer in the bank's 3-D Secure dialog."""
    intent_ref = re.match(r"^(pi_\w+)_secret_", client_secret).group(1)
    success = "true" if authenticate else "false"
    return post(
        f"{base}/v1/payment_intents/{intent_ref}/_authenticate?success={success}",
        {"key": PUBLISHABLE_KEY, "client_secret": client_secret},
    )
