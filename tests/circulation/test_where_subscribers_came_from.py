"""Which door and which article a subscriber came through: the last subscribe link before checkout, kept by the server.

Rita reads a subscriber-only article as a visitor, clicks Subscribe in its paywall box, logs in and
pays with the sandbox's test card; circulation staff (Cora) then see where she came from.
"""

from __future__ import annotations

import re

import pytest

from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Offer, Subscription
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.billing.pages import GOOD_CARD, ReaderBrowser, card_fields, hidden_value, pay
from tests.circulation.test_dashboard import table_rows
from tests.personas import PASSWORD


def paywall_subscribe_link(page) -> str:
    box = re.search(r'<aside class="subscribe-box paywall-offer".*?</aside>', page.content.decode(), re.S)
    assert box, "no paywall box on the page"
    link = re.search(r'<a class="button" href="([^"]+)">Subscribe</a>', box.group(0))
    return link.group(1).replace("&amp;", "&")


def pay_with_the_code_shown(browser: ReaderBrowser, plan: str = "digital-monthly"):
    page = browser.get(f"/subscribe/{plan}/")
    data = {
        **card_fields(GOOD_CARD, hidden_value(page, "checkout_token")),
        "offer_code": hidden_value(page, "offer_code"),
    }
    return browser.post(f"/subscribe/{plan}/", data, follow=True)


def log_in(browser: ReaderBrowser, email: str) -> None:
    response = browser.post("/account/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_paywall_box_links_to_subscribe_naming_itself_and_the_article(gated_article):
    page = ReaderBrowser().get(gated_article.url)

    assert paywall_subscribe_link(page) == f"/subscribe/?from=paywall&article={gated_article.pk}"


def test_a_reader_who_subscribes_from_a_paywall_box_is_recorded_with_that_door_and_article(gated_article, reader):
    visitor = ReaderBrowser()
    visitor.get(paywall_subscribe_link(visitor.get(gated_article.url)))
    log_in(visitor, reader.email)  # the checkout asks a visitor to log in first; the door stays with the session

    pay(visitor, "digital-monthly", GOOD_CARD)

    subscription = Subscription.objects.get(reader=reader)
    assert (subscription.door, subscription.door_article_id) == ("paywall", gated_article.pk)


def test_the_last_door_before_checkout_counts(gated_article, reader):
    Offer.objects.create(code="SPRING25", name="Spring flyer", percent_off=25)
    browser = ReaderBrowser()
    log_in(browser, reader.email)
    browser.get(paywall_subscribe_link(browser.get(gated_article.url)))
    browser.get("/subscribe/offer/?code=spring25")  # the flyer's link, after the paywall
    browser.get("/subscribe/")  # a link naming no door leaves the last one

    pay_with_the_code_shown(browser)

    subscription = Subscription.objects.get(reader=reader)
    assert (subscription.door, subscription.door_article_id, subscription.offer.code) == ("offer", None, "SPRING25")


@pytest.mark.parametrize(
    ("query", "door", "article_id"),
    [
        ("from=footer", "footer", None),
        ("from=newsletter&article=12", "newsletter", 12),
        ("from=paywall&article=12abc", "paywall", None),
        ("from=paywall&article=-4", "paywall", None),
        ("from=paywall&article=99999999999", "paywall", None),
        ("from=admin&article=12", "", None),
        ("from==HYPERLINK(1)", "", None),
    ],
)
def test_a_door_off_the_list_is_not_recorded_and_an_article_that_is_no_number_is_dropped(
    reader, query, door, article_id
):
    browser = ReaderBrowser()
    log_in(browser, reader.email)
    browser.get(f"/subscribe/?{query}")

    pay(browser, "digital-monthly", GOOD_CARD)

    subscription = Subscription.objects.get(reader=reader)
    assert (subscription.door, subscription.door_article_id) == (door, article_id)


def test_the_next_subscription_does_not_inherit_the_door_of_the_last(reader):
    browser = ReaderBrowser()
    log_in(browser, reader.email)
    browser.get("/subscribe/?from=footer")
    pay(browser, "digital-monthly", GOOD_CARD)
    first = Subscription.objects.get(reader=reader)
    do_refund_under_guarantee(first, actor="reader", gateway=SandboxGateway())

    pay(browser, "digital-monthly", GOOD_CARD)

    latest = Subscription.objects.filter(reader=reader).order_by("-pk").first()
    assert latest.pk != first.pk and latest.door == ""


def test_circulation_staff_see_the_door_and_the_article_on_the_dashboard(gated_article, reader, circulation_client):
    visitor = ReaderBrowser()
    visitor.get(paywall_subscribe_link(visitor.get(gated_article.url)))
    log_in(visitor, reader.email)
    pay(visitor, "digital-monthly", GOOD_CARD)

    page = circulation_client.get("/admin/circulation/")

    assert table_rows(page, "doors") == {"Paywall box": ["1", "1"]}
    assert table_rows(page, "articles") == {gated_article.title: ["1", "1", "1"]}  # numbered 1, as in the chart


def test_the_footers_subscribe_link_names_the_footer_door(reader, home_page):
    browser = ReaderBrowser()
    log_in(browser, reader.email)
    page = browser.get("/")
    footer = re.search(r"<footer.*?</footer>", page.content.decode(), re.S).group(0)
    [link] = re.findall(r'href="(/subscribe/[^"]*)"', footer)
    browser.get(link.replace("&amp;", "&"))

    pay(browser, "digital-monthly", GOOD_CARD)

    assert Subscription.objects.get(reader=reader).door == "footer"
