"""Renewals split into shards for workers side by side: each takes its share, together they take all, once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from masthead.subscriptions.models import Payment, SandboxCharge, Subscription
from masthead.subscriptions.services import parse_shard, renew_due_subscriptions
from tests.ledger.due_subscriptions import create_due_subscriptions

pytestmark = pytest.mark.django_db


def test_shards_split_the_due_subscriptions_and_together_renew_each_once():
    create_due_subscriptions(9)

    first = renew_due_subscriptions(shard=(0, 3))
    assert first == {"renewed": 3}
    assert Subscription.objects.filter(payments__status=Payment.SUCCEEDED).distinct().count() == 3

    renew_due_subscriptions(shard=(1, 3))
    renew_due_subscriptions(shard=(2, 3))
    assert renew_due_subscriptions() == {}  # a whole run afterwards finds nothing left to do

    paid = Counter(Payment.objects.filter(status=Payment.SUCCEEDED).values_list("subscription_id", flat=True))
    assert sorted(paid.values()) == [1] * 9
    assert SandboxCharge.objects.count() == 9


def test_the_command_takes_a_shard_as_people_count_it(capsys):
    create_due_subscriptions(4)
    call_command("renew_subscriptions", "--shard", "2/2")
    assert "Renewals: 2 renewed." in capsys.readouterr().out
    assert parse_shard("1/4") == (0, 4)


@pytest.mark.parametrize("text", ["0/4", "5/4", "half", "1/"])
def test_a_bad_shard_is_refused_with_the_reason(text):
    with pytest.raises(CommandError, match="shard|Shard"):
        call_command("renew_subscriptions", "--shard", text)
