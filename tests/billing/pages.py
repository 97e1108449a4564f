"""What a reader does and sees on the billing pages, through the test client."""

from __future__ import annotations

import datetime
import html
import re

from django.test import Client

from tests.personas import committed, logged_in_client

# Launch day: every billing test starts here, on a frozen clock.
START = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC)
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
DECLINES_WHEN_CHARGED = "4000 0000 0000 0341"
INSUFFICIENT_FUNDS_CARD = "4000 0000 0000 9995"

BROOKLYN_FORM = {
    "name": "Pat Print",
    "line1": "12 Court Street",
    "city": "Brooklyn",
    "region": "NY",
    "postal_code": "11201",
    "country": "US",
}
LONDON_FORM = {
    "name": "Pat Print",
    "line1": "10 Downing Street",
    "city": "London",
    "postal_code": "SW1A 2AA",
    "country": "GB",
}


class ReaderBrowser(Client):
    """A test client whose every request commits: emails the request sends are in the outbox on return."""

    def request(self, **request):
        with committed():
            return super().request(**request)


def browser_for(user) -> ReaderBrowser:
    return logged_in_client(user, ReaderBrowser)


def visible_text(response) -> str:
    """The page's words as a reader sees them: no tags, entities decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return re.sub(r"(?<=[(]) | (?=[.,;:)])", "", text)


def hidden_value(response, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', response.content.decode())
    assert match, f"no {name} on the page"
    return match.group(1)


def address_fields(address: dict[str, str]) -> dict[str, str]:
    return {f"address-{field}": value for field, value in address.items()}


def card_fields(card: str, token: str) -> dict[str, str]:
    return {"checkout_token": token, "card_number": card, "expiry": "12/34", "cvc": "123"}


def pay(client, plan_slug: str, card: str = GOOD_CARD, *, address: dict[str, str] | None = None):
    """Open the checkout page for a plan, fill it in and press Pay; returns the page that follows."""
    url = f"/subscribe/{plan_slug}/"
    form = client.get(url)
    assert form.status_code == 200
    data = card_fields(card, hidden_value(form, "checkout_token"))
    data.update(address_fields(address or {}))
    return client.post(url, data, follow=True)


def link_in(body: str, path_start: str) -> str:
    """The path of the first link in an email body that starts with `path_start`."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S*)", body)
    assert match, f"no {path_start} link in:\n{body}"
    return match.group(1)
