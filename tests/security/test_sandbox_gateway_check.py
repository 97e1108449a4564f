"""`manage.py check --deploy` fails when a site without DEBUG would take payments through the sandbox.

The sandbox moves no money; a demo or staging site says so with ALLOW_SANDBOX_GATEWAY.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


def check(*, deploy: bool = False) -> str:
    """The check command's output; with --deploy, the billing checks only (Django's own deploy checks
    answer to the test run's environment, such as the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE)."""
    out = StringIO()
    tags = ["--tag", "billing"] if deploy else []
    call_command("check", *tags, deploy=deploy, stdout=out, stderr=out)
    return out.getvalue()


@override_settings(DEBUG=False, PAYMENT_GATEWAY="sandbox", ALLOW_SANDBOX_GATEWAY=False)
def test_the_sandbox_gateway_with_debug_off_fails_the_deploy_check():
    with pytest.raises(SystemCheckError) as failure:
        check(deploy=True)

    message = str(failure.value)
    assert "(subscriptions.E001) PAYMENT_GATEWAY is 'sandbox' with DEBUG off" in message
    assert "no money would be taken" in message
    assert "ALLOW_SANDBOX_GATEWAY=true" in message


@override_settings(DEBUG=False, PAYMENT_GATEWAY="sandbox", ALLOW_SANDBOX_GATEWAY=True)
def test_a_publisher_who_says_so_may_run_the_sandbox_without_debug():
    assert "subscriptions.E001" not in check(deploy=True)


LIVE_KEYS = {
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    "STRIPE_API_BASE": "",
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
}


@pytest.mark.parametrize(
    "site",
    [{"DEBUG": False, "PAYMENT_GATEWAY": "stripe", **LIVE_KEYS}, {"DEBUG": True, "PAYMENT_GATEWAY": "sandbox"}],
)
def test_stripe_in_production_or_the_sandbox_while_developing_passes(site):
    with override_settings(ALLOW_SANDBOX_GATEWAY=False, **site):
        assert "subscriptions.E001" not in check(deploy=True)


@override_settings(DEBUG=False, PAYMENT_GATEWAY="sandbox", ALLOW_SANDBOX_GATEWAY=False)
def test_the_everyday_check_leaves_it_to_the_deploy_check():
    assert "subscriptions.E001" not in check()


@override_settings(DEBUG=False, PAYMENT_GATEWAY="stripe", **{**LIVE_KEYS, "STRIPE_WEBHOOK_SECRET": ""})
def test_stripe_without_its_webhook_secret_fails_the_deploy_check():
    with pytest.raises(SystemCheckError) as failure:
        check(deploy=True)

    message = str(failure.value)
    assert "(subscriptions.E002) PAYMENT_GATEWAY is 'stripe' but STRIPE_WEBHOOK_SECRET is not set." in message


@override_settings(DEBUG=False, PAYMENT_GATEWAY="stripe", **{**LIVE_KEYS, "STRIPE_API_BASE": "http://127.0.0.1:8420"})
def test_a_live_key_sent_to_a_stand_in_is_warned_about():
    assert "(subscriptions.W003) A live Stripe key is sent to another API or Stripe.js" in check(deploy=True)
