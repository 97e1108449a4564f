"""The sections in every page's navigation are kept between requests (content.queries.live_sections), so a
change to them must show on the very next page: a section published, unpublished or made private."""

from __future__ import annotations

from wagtail.models import PageViewRestriction

from masthead.content.models import HomePage, SectionPage
from tests.reading import parsed, words


def navigation(client) -> list[str]:
    """The section names a reader sees in the navigation of the search page (never a stored page)."""
    links = parsed(client.get("/search/")).select("nav.sections-nav a")
    return [words(link) for link in links if link["href"] != "/issues/"]


def test_a_new_section_shows_in_the_navigation_at_once_and_leaves_it_when_unpublished(sections, subscriber_client):
    assert "Science" not in navigation(subscriber_client)  # the list is now kept

    science = SectionPage(title="Science", slug="science")
    HomePage.objects.get().add_child(instance=science)
    science.save_revision().publish()
    assert navigation(subscriber_client)[-1] == "Science"

    science.unpublish()
    assert "Science" not in navigation(subscriber_client)


def test_a_section_made_private_leaves_the_navigation_at_once(sections, subscriber_client):
    assert "Culture" in navigation(subscriber_client)

    PageViewRestriction.objects.create(
        page=SectionPage.objects.get(slug="culture"), restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert "Culture" not in navigation(subscriber_client)
    assert navigation(subscriber_client) == ["Politics", "Finance", "Foreign Affairs", "Environment", "Technology"]
