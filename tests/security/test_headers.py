"""In production (SECURE_HTTPS=true) the site is https only: redirects, HSTS, secure cookies; and Django agrees.

The production profile is what masthead/settings.py makes of a production environment, read in a
separate process as a server would start; the HTTP tests then run with those settings.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import subprocess
import sys
import tempfile

import pytest
from django.conf import settings as django_settings

from tests.personas import PASSWORD

BASE_DIR = django_settings.BASE_DIR
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "false",
    "ALLOWED_HOSTS": "magazine.example",
    "SITE_URL": "https://magazine.example",
    "SECURE_HTTPS": "true",
    # A staging site: which gateway takes the money is not what these tests are about.
    "ALLOW_SANDBOX_GATEWAY": "true",
}
BEHIND_A_PROXY = {**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}
PROFILE_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "TRUSTED_PROXY_COUNT",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
]


def run_django(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python with nothing from our own environment but PATH: as a fresh server would start."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {"PATH": os.environ["PATH"], "DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "masthead.settings"}
        return subprocess.run(
            [sys.executable, *args],
            cwd=BASE_DIR,
            env={**env, **environment},
            capture_output=True,
            text=True,
            timeout=300,
        )


@functools.cache
def profile(environment: tuple[tuple[str, str], ...]) -> dict:
    program = (
        "import json; from django.conf import settings;"
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {PROFILE_SETTINGS!r}}}))"
    )
    result = run_django(["-c", program], dict(environment))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def apply_profile(settings, environment: dict[str, str]) -> None:
    for name, value in profile(tuple(sorted(environment.items()))).items():
        setattr(settings, name, value)


@pytest.fixture
def production(settings):
    """This test's server runs with the production profile's security settings."""
    apply_profile(settings, PRODUCTION)


@pytest.fixture
def production_behind_a_proxy(settings):
    apply_profile(settings, BEHIND_A_PROXY)


# -- Django's own deployment checklist -----------------------------------------------------------


def test_check_deploy_finds_nothing_to_warn_about_in_the_production_profile():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_says_plainly_that_the_local_defaults_are_not_for_production():
    result = run_django(["manage.py", "check", "--deploy"], {})

    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


# -- https in production -------------------------------------------------------------------------


def test_in_production_a_visit_over_plain_http_is_sent_to_https(production, anonymous, home_page):
    response = anonymous.get("/politics/?page=2")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/politics/?page=2"


def test_in_production_even_a_page_the_page_cache_holds_is_sent_to_https(production, anonymous, home_page):
    assert anonymous.get("/", secure=True).status_code == 200
    assert anonymous.get("/", secure=True)["X-Page-Cache"] == "hit"

    response = anonymous.get("/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_in_production_every_page_tells_the_browser_https_only_no_sniffing_and_no_framing(
    production, anonymous, home_page
):
    for response in (anonymous.get("/", secure=True), anonymous.get("/", secure=True)):  # fresh, then cached
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "upgrade-insecure-requests" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_in_production_a_readers_session_and_csrf_cookies_travel_over_https_only(production, anonymous, reader):
    form = anonymous.get("/account/login/", secure=True)
    logged_in = anonymous.post("/account/login/", {"login": reader.email, "password": PASSWORD}, secure=True)

    assert form.cookies["csrftoken"]["secure"] is True
    assert logged_in.status_code == 302
    assert logged_in.cookies["sessionid"]["secure"] is True
    assert logged_in.cookies["sessionid"]["httponly"] is True


def test_in_production_the_health_check_answers_over_plain_http(production, anonymous, db):
    assert anonymous.get("/healthz").status_code == 200


def test_without_a_trusted_proxy_a_claim_of_https_in_a_header_is_not_believed(production, anonymous, home_page):
    response = anonymous.get("/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301


def test_behind_our_proxy_a_request_it_received_over_https_is_served(production_behind_a_proxy, anonymous, home_page):
    over_https = anonymous.get("/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.9")
    over_http = anonymous.get("/issues/", HTTP_X_FORWARDED_PROTO="http", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert over_https.status_code == 200
    assert over_https["Strict-Transport-Security"].startswith("max-age=")
    assert over_http.status_code == 301


# -- locally --------------------------------------------------------------------------------------


def test_locally_the_site_is_served_over_plain_http_without_hsts(anonymous, home_page):
    response = anonymous.get("/")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
