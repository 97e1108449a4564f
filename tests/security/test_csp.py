"""Every public page tells the browser to run only our own scripts and styles (Content-Security-Policy).

So an injected <script> or style="" in anything we render does nothing. The pages themselves keep
no inline script, style or event handler, or the policy would break them: checked on the pages a
reader sees, as served.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from masthead.core.csp import STRIPE_JS_ORIGINS
from tests.factories import ArticleFactory, CreditedImageFactory, IssueFactory

BASE_DIR = settings.BASE_DIR
SCRIPT_DATA_TYPES = {"application/ld+json", "application/json"}  # data, never run


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts, <style>, style="" and on...= handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attributes and attributes.get("type") not in SCRIPT_DATA_TYPES:
            self.found.append("<script> without src")
        if tag == "a" and (attributes.get("href") or "").lower().startswith("javascript:"):
            self.found.append("javascript: link")


def inline_code(page) -> list[str]:
    """What a strict policy would block in a response (or a page's HTML)."""
    parser = InlineCode()
    parser.feed(page if isinstance(page, str) else page.content.decode())
    return parser.found


@pytest.fixture
def article(sections):
    return ArticleFactory(
        section=sections["politics"],
        title="Budget Talks Stall",
        hero_image=CreditedImageFactory(alt_text="The parliament at dusk", credit="Lee Park/Studio"),
    )


@pytest.fixture
def gated_article(sections):
    return ArticleFactory(section=sections["finance"], title="The Bond Market Blinks", access_level="subscribers")


def test_a_public_page_allows_only_our_own_scripts_styles_and_fonts(anonymous, article):
    directives = policy(anonymous.get(article.url))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["font-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in anonymous.get(article.url)["Content-Security-Policy"]


def test_a_page_from_the_page_cache_carries_the_policy_too(anonymous, article):
    anonymous.get(article.url)

    cached = anonymous.get(article.url)

    assert cached["X-Page-Cache"] == "hit"
    assert policy(cached)["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "who, url",
    [
        ("anonymous", "/"),
        ("anonymous", "/politics/"),
        ("anonymous", "article"),
        ("anonymous", "article:all/"),
        ("anonymous", "gated_article"),
        ("subscriber", "gated_article"),
        ("anonymous", "/search/?q=budget"),
        ("anonymous", "/issues/"),
        ("anonymous", "issue"),
        ("anonymous", "/subscribe/"),
        ("anonymous", "/account/login/"),
        ("anonymous", "/account/signup/"),
        ("anonymous", "/account/password/reset/"),
        ("anonymous", "/no-such-page/"),
        ("reader", "/account/"),
        ("reader", "/subscribe/digital-monthly/"),
        ("reader", "/subscribe/digital-print-yearly/"),
        ("subscriber", "/account/"),
        ("subscriber", "/account/editions/"),
    ],
)
def test_the_pages_readers_see_hold_no_inline_script_or_style(
    request, who, url, article, gated_article, anonymous, reader_client, subscriber_client
):
    client = {"anonymous": anonymous, "reader": reader_client, "subscriber": subscriber_client}[who]
    if url.startswith(("article", "gated_article")):
        name, _, rest = url.partition(":")
        url = {"article": article, "gated_article": gated_article}[name].url + rest
    elif url == "issue":
        url = IssueFactory(articles=[article]).get_absolute_url()

    response = client.get(url)

    assert response.status_code in (200, 404), response.status_code
    assert "Content-Security-Policy" in response
    assert inline_code(response) == []


def test_the_slow_down_and_locked_out_pages_hold_no_inline_script_or_style(settings, anonymous, article):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": {"views": ["search"], "per_address": "1/m"}}
    anonymous.get("/search/", {"q": "one"})
    slow_down = anonymous.get("/search/", {"q": "two"})
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        locked_out = anonymous.post("/admin/login/", {"username": "ada", "password": f"guess {attempt}"})

    assert (slow_down.status_code, locked_out.status_code) == (429, 429)
    assert inline_code(slow_down) == inline_code(locked_out) == []


def test_the_server_error_page_holds_no_inline_script_or_style():
    # Rendered as Django's server_error view does: no request, no context.
    assert inline_code(render_to_string("500.html")) == []


def test_the_editors_admin_is_left_out_of_the_policy_but_still_cannot_be_framed_by_other_sites(admin_persona_client):
    response = admin_persona_client.get("/admin/")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


def policy_with(**environment: str) -> dict[str, list[str]]:
    """The policy a server started with these environment variables sends."""
    program = (
        "import django, json; django.setup(); from django.test import Client;"
        "header = Client().get('/healthz')['Content-Security-Policy'];"
        "print(json.dumps({d.split()[0]: d.split()[1:] for d in header.split(';') if d.strip()}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings_test", **environment}
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_stripe_the_pages_may_load_stripe_js_from_where_the_settings_say_and_nothing_else_new(
    settings, anonymous, article
):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"  # localstripe
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"

    directives = policy(anonymous.get(article.url))

    assert directives["script-src"] == ["'self'", "http://127.0.0.1:8420", *STRIPE_JS_ORIGINS]
    assert "https://hooks.stripe.com" in directives["frame-src"]
    assert directives["connect-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert directives["style-src"] == ["'self'"]


def test_with_stripe_in_production_the_api_called_is_stripes_own(settings, anonymous, article):
    settings.PAYMENT_GATEWAY = "stripe"

    directives = policy(anonymous.get(article.url))

    assert directives["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert directives["connect-src"] == ["'self'", "https://api.stripe.com"]


def test_with_the_sandbox_gateway_no_stripe_origin_is_allowed(anonymous, article):
    header = anonymous.get(article.url)["Content-Security-Policy"]

    assert "stripe" not in header


def test_with_media_on_s3_the_pages_may_show_images_from_the_bucket():
    directives = policy_with(AWS_STORAGE_BUCKET_NAME="masthead-media", AWS_S3_ENDPOINT_URL="https://s3.example.net")

    assert directives["img-src"] == ["'self'", "https://s3.example.net", "https://masthead-media.s3.example.net"]
    assert directives["script-src"] == ["'self'"]
