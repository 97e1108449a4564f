"""A real localstripe server for the Stripe gateway's tests, and the site configured to use it.

One localstripe process serves the whole session (it starts in about a second); its data is
wiped before each test, so every test sees an empty Stripe account. Nothing here is mocked.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import stripe

from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.stripe import StripeGateway
from masthead.subscriptions.models import Plan
from masthead.subscriptions.services import do_subscribe

SECRET_KEY = "sk_test_masthead"  # localstripe accepts any sk_test_ key
PUBLISHABLE_KEY = "pk_test_masthead"  # what the page gives Stripe.js; localstripe takes any pk_ key
WEBHOOK_SECRET = "whsec_masthead_tests"
VISA = "4242424242424242"
DECLINED = "4000000000000002"  # refused when stored
DECLINES_WHEN_CHARGED = "4000000000000341"  # stored, then refused at every charge

# localstripe's own `python -m localstripe` listens on every interface and pickles its whole store
# to /tmp after each write; the same server, bound to 127.0.0.1 and kept in memory, is started thus.
LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda store: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localstripe_request(base: str, method: str, path: str, body: dict | None = None) -> int:
    """A raw call to localstripe, for its own /_config/ endpoints and the readiness check."""
    headers = {"Authorization": f"Bearer {SECRET_KEY}", "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310 - http://127.0.0.1
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own 127.0.0.1 server
        return response.status


@pytest.fixture(scope="session")
def localstripe_url():
    """The base address of a localstripe server started for this test session."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", LAUNCHER, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            localstripe_request(base, "GET", "/v1/customers?limit=1")
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                pytest.fail(f"localstripe exited: {process.stderr.read().decode()}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not answer within 20 seconds")
            time.sleep(0.05)
    yield base
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(autouse=True)
def stripe_settings(settings, localstripe_url):
    """The site talks to localstripe through the stripe gateway; localstripe starts each test empty."""
    localstripe_request(localstripe_url, "DELETE", "/_config/data")
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"  # localstripe's stand-in Stripe.js
    return settings


@pytest.fixture
def gateway() -> StripeGateway:
    return StripeGateway()


@pytest.fixture
def stripe_account(localstripe_url):
    """Stripe's side of things, read straight from localstripe, as a Stripe dashboard would show it."""
    return StripeAccount(localstripe_url)


class StripeAccount:
    def __init__(self, base: str):
        self.base = base
        self.api = stripe.StripeClient(SECRET_KEY, base_addresses={"api": base}, max_network_retries=0).v1

    def payment_intents(self, customer_ref: str | None = None) -> list:
        """The account's PaymentIntents, or one customer's."""
        intents = self.api.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        return [intent for intent in intents if customer_ref in (None, intent.customer)]

    def refunds(self, intent_ref: str) -> list:
        return list(self.api.refunds.list(params={"payment_intent": intent_ref, "limit": 100}).auto_paging_iter())

    def as_json(self, obj) -> dict:
        return json.loads(str(obj))


def card(number: str = VISA) -> CardInput:
    return CardInput(number=number, exp_month=12, exp_year=2034, cvc="123")


@pytest.fixture
def monthly() -> Plan:
    """Digital, monthly: $9.00 a month."""
    return Plan.objects.get(slug="digital-monthly")


@pytest.fixture
def subscribe(monthly):
    """Buy a plan through the stripe gateway as checkout does (a new checkout token unless given one)."""
    tokens = iter(range(1, 1000))

    def buy(reader, *, plan: Plan | None = None, number: str = VISA, token: str | None = None, now=None):
        return do_subscribe(
            reader=reader,
            plan=plan or monthly,
            card=card(number),
            checkout_token=token or f"token-{next(tokens)}",
            now=now,
        )

    return buy
