"""A giver paying for a gift on the sandbox gateway, run as its own process against DATABASE_URL / DATA_DIR.

    python -m tests.gifts.gift_purchase TOKEN [--dies-after-the-charge] [--minutes-later N]

Prints what the giver would be told. `--dies-after-the-charge` kills this process (SIGKILL, no
clean-up of any kind) the moment the gateway has taken the money, before the gift is recorded;
`--minutes-later` runs the purchase that many minutes from now (a giver coming back later).
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal

GIVER = "gina@example.com"


def buy(token: str) -> str:
    from masthead.gifts.pricing import find_option
    from masthead.gifts.services.errors import GiftError
    from masthead.gifts.services.purchase import GiftOrder, buy_gift, giver_for
    from masthead.subscriptions.gateways import CardDeclined, CardInput
    from masthead.subscriptions.gateways.sandbox import SandboxGateway

    order = GiftOrder(
        option=find_option("digital", 6),
        recipient_name="Gwen Gifted",
        recipient_email="gwen@example.com",
        deliver_on=datetime.date(2030, 1, 1),
    )
    card = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
    try:
        gift = buy_gift(giver=giver_for(GIVER), order=order, card=card, token=token, gateway=SandboxGateway())
    except (GiftError, CardDeclined) as refused:
        return f"refused: {refused}"
    return f"bought: {gift.number} {gift.amount}"


def dies_after_the_charge() -> None:
    from masthead.subscriptions.gateways.sandbox import SandboxGateway

    charge = SandboxGateway.charge

    def charge_then_die(self, **kwargs):
        charge(self, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    SandboxGateway.charge = charge_then_die


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("token")
    parser.add_argument("--dies-after-the-charge", action="store_true")
    parser.add_argument("--minutes-later", type=int, default=0)
    args = parser.parse_args()

    import django

    django.setup()
    if args.dies_after_the_charge:
        dies_after_the_charge()
    if args.minutes_later:
        import time_machine

        with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=args.minutes_later)):
            print(buy(args.token))
    else:
        print(buy(args.token))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    main()
