"""Stored pages answered in front of Django (ops/page_cache_wsgi.py): the same answer, to the same readers.

Each request here goes through a real WSGI application, called as granian or gunicorn call it: the
layer in front of Django's handler (`StoredPagesFirst`), or Django's handler alone for the answer
the whole stack gives. The test client would skip the layer. Whether Django handled a request is
read from its request_started signal, which only Django's handler sends.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from masthead.ops import page_cache_wsgi
from masthead.ops.logs import JsonFormatter
from masthead.ops.page_cache_wsgi import StoredPagesFirst
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.factories import ArticleFactory, paragraphs
from tests.personas import logged_in_client
from tests.reading import main_text, reads_the_whole_seed_article
from tests.seed import SEED_ALL_PAGES
from tests.web_process import run_in_a_new_process

METRICS_TOKEN = "s3cret-scrape-token"
IN_THE_LIBRARY = "192.0.2.10"
# Differ between any two answers, whoever gives them.
PER_REQUEST_HEADERS = {"X-Request-ID"}


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    content: bytes

    @property
    def status_code(self) -> int:
        return int(self.status.split()[0])

    def __getitem__(self, name: str) -> str:
        return dict(self.headers)[name]

    def get(self, name: str, default=None):
        return dict(self.headers).get(name, default)

    def same_headers(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.headers if name not in PER_REQUEST_HEADERS]


class Server:
    """Calls a WSGI application as a server does: the layer in front of Django, or Django's handler alone."""

    def __init__(self):
        self.django = WSGIHandler()
        self.in_front = StoredPagesFirst(self.django)

    def get(
        self, path: str, *, cookies: dict[str, str] | None = None, app=None, method: str = "GET", **environ
    ) -> Answer:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path.encode().decode("iso-8859-1"),  # as a server hands a path over (PEP 3333)
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **environ,
        }
        if cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        started = []
        body = (app or self.in_front)(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        status, headers = started[0]
        return Answer(status, list(headers), content)

    def from_django(self, path: str, **kwargs) -> Answer:
        return self.get(path, app=self.django, **kwargs)


@pytest.fixture
def server(db, monkeypatch):
    """As Django's test client does, the test's open transaction is not closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(page_cache_wsgi, "close_old_connections", lambda: None)
    yield Server()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def handled_by_django():
    """How many requests Django's handler has taken so far (it alone sends request_started)."""
    handled = []

    def count(**kwargs) -> None:
        handled.append(1)

    request_started.connect(count)
    yield lambda: len(handled)
    request_started.disconnect(count)


def session_of(user) -> dict[str, str]:
    name = settings.SESSION_COOKIE_NAME
    return {name: logged_in_client(user).cookies[name].value}


def stored_by_django(server: Server, path: str, **kwargs) -> Answer:
    """Render the page once, then the whole stack's answer from the stored copy."""
    server.from_django(path, **kwargs)
    answer = server.from_django(path, **kwargs)
    assert answer["X-Page-Cache"] == "hit"
    return answer


def request_of(who: str, request) -> dict:
    """The cookies or address of a persona's requests."""
    if who == "in a library's network":
        request.getfixturevalue("library")
        return {"REMOTE_ADDR": IN_THE_LIBRARY}
    if who == "a stranger's session cookie":
        return {"cookies": {settings.SESSION_COOKIE_NAME: "not-a-session-of-anyone"}}
    return {} if who == "anonymous" else {"cookies": session_of(request.getfixturevalue(who))}


@pytest.mark.parametrize("who", ["anonymous", "subscriber", "reader", "in a library's network"])
def test_a_stored_page_answered_in_front_of_django_is_the_whole_stacks_answer(
    who, server, handled_by_django, gated_article, request
):
    kwargs = request_of(who, request)
    whole_stack = stored_by_django(server, SEED_ALL_PAGES, **kwargs)
    handled = handled_by_django()

    in_front = server.get(SEED_ALL_PAGES, **kwargs)

    assert handled_by_django() == handled  # Django's handler never saw it
    assert in_front.status == whole_stack.status == "200 OK"
    assert in_front.content == whole_stack.content
    assert in_front.same_headers() == whole_stack.same_headers()
    assert in_front["X-Page-Cache"] == "hit"
    assert len(in_front["X-Request-ID"]) == 32 and in_front["X-Request-ID"] != whole_stack["X-Request-ID"]
    assert reads_the_whole_seed_article(in_front) == (who in ("subscriber", "in a library's network"))


def test_security_headers_and_the_https_redirect_are_the_whole_stacks(server, gated_article, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    server = Server()  # the security middleware reads its settings when the handler is made
    https = {"wsgi.url_scheme": "https", "SERVER_PORT": "443"}
    whole_stack = stored_by_django(server, SEED_ALL_PAGES, **https)

    in_front = server.get(SEED_ALL_PAGES, **https)
    redirected, redirected_by_django = server.get(SEED_ALL_PAGES), server.from_django(SEED_ALL_PAGES)

    assert in_front.same_headers() == whole_stack.same_headers()
    assert in_front["Strict-Transport-Security"] == "max-age=3600"
    assert in_front["X-Content-Type-Options"] == "nosniff"
    assert in_front["Content-Security-Policy"] == whole_stack["Content-Security-Policy"]
    assert redirected.status == redirected_by_django.status == "301 Moved Permanently"
    assert redirected["Location"] == redirected_by_django["Location"] == f"https://testserver{SEED_ALL_PAGES}"


@pytest.mark.parametrize("who", ["anonymous", "a stranger's session cookie", "reader"])
def test_no_reader_in_front_of_django_gets_the_subscribers_copy(who, server, gated_article, subscriber, request):
    stored_by_django(server, SEED_ALL_PAGES, cookies=session_of(subscriber))
    kwargs = request_of(who, request)

    answers = [server.get(SEED_ALL_PAGES, **kwargs) for _ in range(3)]

    assert not any(reads_the_whole_seed_article(answer) for answer in answers)
    assert all("Subscribe" in main_text(answer) for answer in answers)


@pytest.mark.parametrize("ending", ["refund under the guarantee", "cancel at once"])
def test_access_ends_in_front_of_django_on_the_very_next_request(ending, server, gated_article, subscriber):
    cookies = session_of(subscriber)
    stored_by_django(server, SEED_ALL_PAGES, cookies=cookies)
    assert reads_the_whole_seed_article(server.get(SEED_ALL_PAGES, cookies=cookies))

    subscription = subscriber.subscriptions.get()
    if ending == "cancel at once":
        subscription.status = subscription.ENDED  # as staff's "end now" leaves it
        subscription.save()
    else:
        do_refund_under_guarantee(subscription, actor="reader")
    answer = server.get(SEED_ALL_PAGES, cookies=cookies)

    assert not reads_the_whole_seed_article(answer)
    assert "Subscribe" in main_text(answer)


def test_a_waiting_flash_message_and_a_post_are_answered_by_django(
    server, handled_by_django, gated_article, subscriber
):
    cookies = session_of(subscriber)
    stored_by_django(server, SEED_ALL_PAGES, cookies=cookies)
    handled = handled_by_django()

    with_message = server.get(SEED_ALL_PAGES, cookies={**cookies, "messages": "a-waiting-message"})
    posted = server.get(SEED_ALL_PAGES, cookies=cookies, method="POST")

    assert handled_by_django() == handled + 2
    assert with_message.get("X-Page-Cache") != "hit" and posted.get("X-Page-Cache") != "hit"


def test_a_host_we_do_not_serve_is_refused_by_django_as_before(server, gated_article):
    stored_by_django(server, SEED_ALL_PAGES)

    in_front = server.get(SEED_ALL_PAGES, HTTP_HOST="evil.example")
    whole_stack = server.from_django(SEED_ALL_PAGES, HTTP_HOST="evil.example")

    assert in_front.status == whole_stack.status == "400 Bad Request"
    assert in_front.content == whole_stack.content


def test_a_page_not_stored_is_rendered_by_django_at_its_address_as_sent(server, sections):
    article = ArticleFactory(
        section=sections["culture"],
        title="Café society",
        slug="café-society",
        pages=[paragraphs("The espresso is strong.")],
    )

    address = unquote(article.url)  # the server hands the path over decoded
    first, again = server.get(address), server.get(address)

    assert first.status == again.status == "200 OK"
    assert [first["X-Page-Cache"], again["X-Page-Cache"]] == ["miss", "hit"]
    assert "The espresso is strong." in main_text(again)


def test_answers_in_front_of_django_are_counted_and_logged_with_their_request_id(server, gated_article, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    stored_by_django(server, SEED_ALL_PAGES)
    before = page_cache_hits_counted()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access_log = logging.getLogger("masthead.requests")
    access_log.addHandler(handler)
    level = access_log.level
    access_log.setLevel(logging.INFO)
    try:
        answer = server.get(SEED_ALL_PAGES, HTTP_X_REQUEST_ID="5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6")
    finally:
        access_log.removeHandler(handler)
        access_log.setLevel(level)

    assert answer["X-Page-Cache"] == "hit" and answer["X-Request-ID"] == "5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6"
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == "5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6"
    assert (line["method"], line["path"], line["status"], line["view"]) == ("GET", SEED_ALL_PAGES, 200, "page_cache")
    assert page_cache_hits_counted() == before + 1


def page_cache_hits_counted() -> float:
    """What /metrics says of GETs answered 200 by the page cache."""
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").content.decode()
    series = 'masthead_http_requests_total{method="GET",status="200",view="page_cache"} '
    return next((float(line.removeprefix(series)) for line in text.splitlines() if line.startswith(series)), 0.0)


def test_switched_off_or_behind_an_unknown_middleware_every_request_goes_to_django(
    server, handled_by_django, gated_article, settings
):
    stored_by_django(server, SEED_ALL_PAGES)
    settings.PAGE_CACHE_WSGI_FAST_PATH = False
    switched_off = Server()
    settings.PAGE_CACHE_WSGI_FAST_PATH = True
    settings.MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *settings.MIDDLEWARE]
    behind_gzip = Server()
    handled = handled_by_django()

    answers = [switched_off.get(SEED_ALL_PAGES), behind_gzip.get(SEED_ALL_PAGES)]

    assert handled_by_django() == handled + 2
    assert all(answer["X-Page-Cache"] == "hit" for answer in answers)  # still the page cache's, through Django


def test_the_sites_entry_point_answers_stored_pages_in_front_of_django(tmp_path):
    """What granian and gunicorn import, with the production settings; MASTHEAD_WSGI_FAST_PATH=false switches it off."""
    entry_point = "from masthead.wsgi import application; print(application.chain is not None)"

    def in_front(switch: str) -> str:
        return run_in_a_new_process(entry_point, tmp_path, MASTHEAD_WSGI_FAST_PATH=switch)

    assert [in_front(""), in_front("false")] == ["True", "False"]
