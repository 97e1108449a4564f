"""Archive search with anything in any parameter (q, section, author, dates, page, unknown keys): never a 500."""

from __future__ import annotations

import datetime

from hypothesis import event, given
from hypothesis import strategies as st

from tests.conftest import SECTION_SLUGS
from tests.security.fuzz.hostile_input import (
    assert_not_a_server_error,
    field,
    fuzz,
    hostile_text,
    junk_params,
    mostly,
    numbers_as_text,
    raw_query_strings,
    rolled_back,
    visitor,
)
from tests.seed import SEED_NAME

queries = mostly(
    st.sampled_from(
        [
            SEED_NAME,
            "nordic grid",
            "Halonen",
            "grid AND winter",
            "and or not near",
            "NEAR(grid winter)",
            '"quoted words"',
            "grid*",
            "-grid +winter",
            "a b c d e f g h i j k l m n o",
            "2023",
        ]
    ),
    hostile_text,
)
search_dates = mostly(
    st.one_of(
        st.sampled_from(["2023-02-07", "2023-01-01", "2024-12-31", ""]),
        st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
    ),
    st.one_of(hostile_text, st.sampled_from(["0000-01-01", "9999-12-31", "2023-02-30", "10000-01-01", "02/07/2023"])),
)
pages = mostly(st.sampled_from(["1", "2", "last", ""]), st.one_of(numbers_as_text, hostile_text))


@fuzz(40)
@given(
    q=queries,
    section=field(*SECTION_SLUGS, ""),
    author=field("marta-lindqvist", ""),
    date_from=search_dates,
    date_to=search_dates,
    page=pages,
    extra=junk_params,
)
def test_searching_with_anything_in_any_parameter_answers_without_a_server_error(
    seed_article, q, section, author, date_from, date_to, page, extra
):
    params = {**extra, "q": q, "section": section, "author": author, "date_from": date_from, "date_to": date_to}
    params["page"] = page
    with rolled_back():
        response = visitor().get("/search/", params)
        assert_not_a_server_error(response, f"Searching {params!r}")
        shows_results = b'class="result-count"' in response.content
        event(f"search answered {response.status_code}, with a result count: {shows_results}")


@fuzz(30)
@given(query_string=raw_query_strings)
def test_searching_with_a_malformed_query_string_answers_without_a_server_error(seed_article, query_string):
    with rolled_back():
        response = visitor().get("/search/", QUERY_STRING=query_string)
        assert_not_a_server_error(response, f"GET /search/?{query_string}")
