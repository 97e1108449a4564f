"""The kept list of sections (content.queries.live_sections) against a change that lands while a reader is
reading it: the list that reader read before the change must not be kept after it."""

from __future__ import annotations

from wagtail.models import PageViewRestriction

from masthead.content import queries
from masthead.content.models import SectionPage
from tests.test_navigation_sections import navigation


class ChangeBeforeTheListIsKept:
    """The default cache, as it is, except that the publisher's change lands (with its forgetting) after a
    reader has read the sections from the database and before that reader keeps them: a race, made certain."""

    def __init__(self, cache, change):
        self.cache, self.change = cache, change

    def __getattr__(self, name):
        return getattr(self.cache, name)

    def set(self, key, *args, **kwargs):
        if key == queries.LIVE_SECTIONS and self.change:
            change, self.change = self.change, None
            change()
        return self.cache.set(key, *args, **kwargs)


def test_a_section_made_private_while_a_reader_reads_the_sections_leaves_the_navigation(
    sections, subscriber_client, monkeypatch
):
    def make_culture_private():
        PageViewRestriction.objects.create(
            page=SectionPage.objects.get(slug="culture"), restriction_type=PageViewRestriction.PASSWORD, password="x"
        )

    monkeypatch.setattr(queries, "cache", ChangeBeforeTheListIsKept(queries.cache, make_culture_private))
    assert "Culture" in navigation(subscriber_client)  # this reader read the list before the change

    assert "Culture" not in navigation(subscriber_client)  # the next one must not be shown what was read then
