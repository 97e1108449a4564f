"""What a hostile or careless visitor types (Hypothesis strategies), and the check on each answer.

Every strategy mixes plausible values (so some requests succeed and the writing paths are run)
with junk: NUL and other control characters, right-to-left marks, digits that are not ASCII,
numbers as text, markup, and very long strings. Surrogates cannot travel in HTTP, so none are made.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from urllib.parse import quote

from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# Hypothesis's settings for every fuzz test: few examples, the same ones on every run, no deadline
# (the machine is shared), and no example database left in the working tree.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no "explain" phase: it reruns a failure hundreds of times
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example runs in its own rolled-back savepoint
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def fuzz(max_examples: int) -> settings:
    """FUZZ with this many examples; FUZZ_SCALE=10 in the environment hunts ten times longer."""
    return settings(FUZZ, max_examples=max_examples * int(os.environ.get("FUZZ_SCALE", "1")))


NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n",
    "\t\x0b\x0c",
    "\u202eevil",
    "\ufeff",
    "\u2028\u2029",
    "²",
    "١٢٣",
    "４２",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-0",
    "99999999999999999999999",
    "9" * 5000,
    "' OR 1=1 --",
    '"; DROP TABLE x; --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%00",
    "%s%s%s",
    "../../etc/passwd",
    "a" * 300,
    "é" * 2000,
    "🎉" * 100,
]

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
long_text = st.integers(min_value=200, max_value=20_000).map(lambda n: ("Ab9 ✓" * n)[:n])
numbers_as_text = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)

hostile_text = st.one_of(st.sampled_from(NASTY_STRINGS), any_text, numbers_as_text, long_text)


def mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """Three times in four the usual values, else the unusual: so the paths that succeed are run too."""
    return st.sampled_from([usual, usual, usual, unusual]).flatmap(lambda strategy: strategy)


def field(*good: str) -> st.SearchStrategy[str]:
    """A form field's value: one of the values a reader would type, or junk."""
    if not good:
        return hostile_text
    return mostly(st.sampled_from(good), hostile_text)


# Junk keys beside the real ones in query strings and forms.
junk_params = st.dictionaries(
    st.one_of(st.sampled_from(["page", "q", "format", "callback", "__proto__", "", "a[]", "%00"]), any_text),
    hostile_text,
    max_size=4,
)

# Raw query strings, including percent-escapes that decode to bytes that are not UTF-8.
raw_query_strings = st.one_of(
    st.lists(
        st.one_of(
            st.sampled_from(["%", "%FF", "%00", "%C3%28", "%E2%82", "&", "=", "+", ";", "page=", "q="]),
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=10),
        ),
        max_size=12,
    ).map("".join),
    st.binary(max_size=60).map(lambda raw: raw.decode("latin-1")),
)


def path_segment(text: str) -> str:
    """Text as one segment of a URL path, escaped as a browser would send it."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


ids_in_paths = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "1.5", "1e3", "0x10", "١", "9223372036854775807", "9223372036854775808", "00001"]),
    any_text.map(path_segment),
)


def visitor(user=None) -> Client:
    """A test client that answers a crash with the 500 page, as the server does, instead of raising."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def assert_not_a_server_error(response, what: str) -> None:
    """Anything below 500 is an answer (429 included: rate limits are a deliberate refusal)."""
    if response.status_code < 500:
        return
    detail = ""
    if getattr(response, "exc_info", None):
        detail = "\n" + "".join(traceback.format_exception(*response.exc_info)[-8:])
    raise AssertionError(f"{what} answered {response.status_code}{detail}")


@contextlib.contextmanager
def rolled_back():
    """One example's writes, undone afterwards, with empty caches (no page or rate-limit state carried over)."""
    for alias in django_settings.CACHES:
        caches[alias].clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
