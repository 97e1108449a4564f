"""Fuzzing sends hundreds of requests from one address: rate limits are raised so the forms themselves are tested.

The limits stay switched on, so their counting runs on every hostile request too; caches are
emptied between examples as well. A 429 is still accepted by every property (a refusal, not a
crash); only a 500 fails.
"""

from __future__ import annotations

import re

import pytest

HIGH = "100000"


def raised(rate: str) -> str:
    """The same rate with a count no example reaches: "10/m/ip,5/5m/key" -> "100000/m/ip,100000/5m/key"."""
    return re.sub(r"(^|,)\d+/", rf"\g<1>{HIGH}/", rate)


@pytest.fixture(autouse=True)
def rate_limits_raised(settings):
    # Our doors (masthead/core/ratelimits.py), by address and by reader.
    settings.RATE_LIMITS = {
        door: {key: raised(value) if key.startswith("per_") else value for key, value in rule.items()}
        for door, rule in getattr(settings, "RATE_LIMITS", {}).items()
    }
    # allauth's own limits on login, signup and password reset.
    account_limits = getattr(settings, "ACCOUNT_RATE_LIMITS", None)
    if isinstance(account_limits, dict):
        settings.ACCOUNT_RATE_LIMITS = {action: raised(rate) for action, rate in account_limits.items()}
