"""The editors' side, through the real Wagtail admin: write, preview, schedule, publish; images need alt and credit."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail.test.utils.timestamps import submittable_timestamp

from masthead.content.models import ArticlePage
from masthead.editions.models import Issue
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory
from tests.personas import logged_in_client
from tests.reading import headlines, link_targets, main_text, parsed, words

REFUSED = "This article cannot be published yet."


def article_form(
    *,
    title: str,
    slug: str,
    authors,
    hero_image=None,
    body=(("paragraph", "<p>Our reporter went to see for herself.</p>"),),
    standfirst: str = "What the harbour towns want from the new government.",
    existing_author_links=(),
    publish: bool = True,
    go_live_at: datetime.datetime | None = None,
) -> dict:
    """The POST data of Wagtail's page form for an article, as the editor's browser sends it."""
    author_rows = [{"id": link.pk, "author": link.author_id} for link in existing_author_links]
    author_rows += [{"author": author.pk} for author in authors]
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "standfirst": standfirst,
            "date": "2024-05-01",
            "hero_image": hero_image.pk if hero_image else "",
            "hero_caption": "",
            "article_authors": inline_formset(author_rows, initial=len(existing_author_links), min=1),
            "body": streamfield(
                [(kind, rich_text(value) if kind == "paragraph" else value) for kind, value in body],
            ),
            "access_level": "free",
            "teaser_paragraphs": "2",
            "go_live_at": submittable_timestamp(go_live_at) if go_live_at else "",
            "expire_at": "",
        }
    )
    if publish:
        data["action-publish"] = "Publish"
    return data


def add_article_url(section) -> str:
    return reverse("wagtailadmin_pages:add", args=("content", "articlepage", section.pk))


def messages_shown(response) -> list[str]:
    """The messages Wagtail shows after a save, as text."""
    return [words(BeautifulSoup(str(message), "html.parser")) for message in get_messages(response.wsgi_request)]


def admin_errors(response) -> str:
    """The error banner Wagtail shows above a form it could not save."""
    return words(parsed(response).select_one(".messages"))


@pytest.fixture
def reporter(db):
    return AuthorFactory(name="Hana Kobayashi")


def test_editor_writes_and_publishes_an_article_that_readers_then_find(sections, editor_client, reporter, anonymous):
    hero = CreditedImageFactory(alt_text="Fishing boats at dawn", credit="Kenji Mori/Kyodo")
    anonymous.get("/politics/")  # readers already have the section page in the cache

    response = editor_client.post(
        add_article_url(sections["politics"]),
        article_form(title="Harbour Towns Vote", slug="harbour-towns-vote", authors=[reporter], hero_image=hero),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[sections["politics"].pk])
    assert "Page 'Harbour Towns Vote' created and published." in messages_shown(response)[0]
    article = anonymous.get("/politics/harbour-towns-vote/")
    assert article.status_code == 200
    page = parsed(article)
    assert words(page.select_one("main h1")) == "Harbour Towns Vote"
    assert link_targets(page.select_one(".byline"), "Hana Kobayashi") == ["/authors/hana-kobayashi/"]
    assert page.select_one("figure.hero img")["alt"] == "Fishing boats at dawn"
    assert words(page.select_one("figure.hero .credit")) == "Kenji Mori/Kyodo"
    assert "Our reporter went to see for herself." in main_text(article)
    assert headlines(anonymous.get("/politics/"))[0] == "Harbour Towns Vote"


def test_editor_can_break_an_article_into_web_pages(sections, editor_client, reporter, anonymous):
    body = [
        ("paragraph", "<p>The first page.</p>"),
        ("page_break", ""),
        ("paragraph", "<p>The second page.</p>"),
    ]

    editor_client.post(
        add_article_url(sections["politics"]),
        article_form(title="In Two Parts", slug="in-two-parts", authors=[reporter], body=body),
    )

    assert "Page 2 of 2" in main_text(anonymous.get("/politics/in-two-parts/2/"))
    assert words(parsed(anonymous.get("/politics/in-two-parts/2/")).select_one(".article-body")) == "The second page."


@pytest.mark.parametrize(
    ("alt_text", "credit", "problem"),
    [
        ("", "Kenji Mori/Kyodo", "has no alt text (fill in its description)."),
        ("Fishing boats at dawn", "", "has no credit."),
        ("", "", "has no alt text (fill in its description)."),
    ],
)
def test_publishing_with_a_hero_image_lacking_alt_text_or_credit_is_refused_clearly(
    sections, editor_client, reporter, anonymous, alt_text, credit, problem
):
    hero = CreditedImageFactory(title="Boats", alt_text=alt_text, credit=credit)

    response = editor_client.post(
        add_article_url(sections["politics"]),
        article_form(title="Harbour Towns Vote", slug="harbour-towns-vote", authors=[reporter], hero_image=hero),
    )

    assert response.status_code == 200
    errors = admin_errors(response)
    assert "The page could not be created due to validation errors." in errors
    assert REFUSED in errors
    assert f"Image “Boats” {problem}" in errors
    assert anonymous.get("/politics/harbour-towns-vote/").status_code == 404
    assert not ArticlePage.objects.filter(slug="harbour-towns-vote").exists()


def test_publishing_with_an_inline_image_lacking_a_credit_is_refused_clearly(
    sections, editor_client, reporter, anonymous
):
    uncredited = CreditedImageFactory(title="Quay", alt_text="The quay", credit="")
    body = [
        ("paragraph", "<p>Words first.</p>"),
        ("image", {"image": uncredited.pk, "caption": "The quay at dusk."}),
    ]

    response = editor_client.post(
        add_article_url(sections["politics"]),
        article_form(title="Harbour Towns Vote", slug="harbour-towns-vote", authors=[reporter], body=body),
    )

    assert response.status_code == 200
    assert REFUSED in admin_errors(response)
    assert "Image “Quay” has no credit." in admin_errors(response)
    assert anonymous.get("/politics/harbour-towns-vote/").status_code == 404


def test_draft_with_an_uncredited_image_can_be_saved_but_readers_do_not_see_it(
    sections, editor_client, reporter, anonymous
):
    hero = CreditedImageFactory(alt_text="", credit="")

    response = editor_client.post(
        add_article_url(sections["politics"]),
        article_form(
            title="Harbour Towns Vote", slug="harbour-towns-vote", authors=[reporter], hero_image=hero, publish=False
        ),
    )

    draft = ArticlePage.objects.get(slug="harbour-towns-vote")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[draft.pk])
    assert "Page 'Harbour Towns Vote' created." in messages_shown(response)[0]
    assert anonymous.get("/politics/harbour-towns-vote/").status_code == 404
    assert "Harbour Towns Vote" not in headlines(anonymous.get("/politics/"))


@pytest.fixture
def published_article(sections, reporter):
    """A live Politics article whose hero image lacks alt text, as if the image had been edited since."""
    article = ArticleFactory(
        section=sections["politics"],
        title="Harbour Towns Vote",
        slug="harbour-towns-vote",
        authors=[reporter],
        hero_image=CreditedImageFactory(title="Boats", alt_text="", credit="Kenji Mori/Kyodo"),
    )
    return ArticlePage.objects.get(pk=article.pk)


def edit_form(article: ArticlePage, **changes) -> dict:
    fields = {
        "title": article.title,
        "slug": article.slug,
        "authors": [],
        "existing_author_links": list(article.article_authors.all()),
        "hero_image": article.hero_image,
    }
    return article_form(**{**fields, **changes})


def test_publishing_an_edit_is_refused_while_the_hero_image_lacks_alt_text(published_article, editor_client, anonymous):
    edit_url = reverse("wagtailadmin_pages:edit", args=[published_article.pk])

    response = editor_client.post(edit_url, edit_form(published_article, title="Harbour Towns Decide"))

    assert response.status_code == 200
    assert "The page could not be saved due to validation errors" in admin_errors(response)
    assert "Image “Boats” has no alt text (fill in its description)." in admin_errors(response)
    assert words(parsed(anonymous.get("/politics/harbour-towns-vote/")).select_one("main h1")) == "Harbour Towns Vote"


def test_edit_saved_as_draft_waits_for_publishing_while_readers_keep_the_live_text(
    published_article, editor_client, anonymous
):
    edit_url = reverse("wagtailadmin_pages:edit", args=[published_article.pk])
    anonymous.get("/politics/harbour-towns-vote/")

    saved = editor_client.post(edit_url, edit_form(published_article, title="Harbour Towns Decide", publish=False))

    assert saved.status_code == 302
    assert "Page 'Harbour Towns Decide' has been updated." in messages_shown(saved)[0]
    assert words(parsed(anonymous.get("/politics/harbour-towns-vote/")).select_one("main h1")) == "Harbour Towns Vote"

    hero = published_article.hero_image
    hero.description = "Fishing boats at dawn"
    hero.save()
    published = editor_client.post(edit_url, edit_form(published_article, title="Harbour Towns Decide"))

    assert published.status_code == 302
    assert "Page 'Harbour Towns Decide' has been published." in messages_shown(published)[-1]
    reader_view = parsed(anonymous.get("/politics/harbour-towns-vote/"))
    assert words(reader_view.select_one("main h1")) == "Harbour Towns Decide"
    assert reader_view.select_one("figure.hero img")["alt"] == "Fishing boats at dawn"


def test_editor_previews_unsaved_changes_that_readers_do_not_see(sections, editor_client, reporter, anonymous):
    article = ArticleFactory(section=sections["politics"], title="Harbour Towns Vote", authors=[reporter])
    article = ArticlePage.objects.get(pk=article.pk)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk])

    checked = editor_client.post(
        preview_url,
        edit_form(
            article, title="Harbour Towns Decide", body=[("paragraph", "<p>A sentence still being written.</p>")]
        ),
    )
    preview = editor_client.get(preview_url)

    assert checked.json() == {"is_valid": True, "is_available": True}
    assert preview.status_code == 200
    assert words(parsed(preview).select_one("main h1")) == "Harbour Towns Decide"
    assert "A sentence still being written." in main_text(preview)
    reader_view = anonymous.get(article.url)
    assert words(parsed(reader_view).select_one("main h1")) == "Harbour Towns Vote"
    assert "A sentence still being written." not in main_text(reader_view)


def test_scheduled_article_appears_to_readers_when_its_time_comes(sections, editor_client, reporter, anonymous):
    go_live_at = timezone.now() + datetime.timedelta(days=1)

    response = editor_client.post(
        add_article_url(sections["politics"]),
        article_form(title="Tomorrow's Story", slug="tomorrows-story", authors=[reporter], go_live_at=go_live_at),
    )

    assert response.status_code == 302
    assert "scheduled for publishing" in messages_shown(response)[0]
    assert anonymous.get("/politics/tomorrows-story/").status_code == 404
    anonymous.get("/politics/")

    with time_machine.travel(go_live_at + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=None)

    assert anonymous.get("/politics/tomorrows-story/").status_code == 200
    assert headlines(anonymous.get("/politics/"))[0] == "Tomorrow's Story"


def test_reader_without_admin_access_cannot_open_the_editor(sections, reader_client):
    response = reader_client.get(add_article_url(sections["politics"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


# -- issues -------------------------------------------------------------------------------------


def issue_form(*, cover_date: str, number: int, cover_image, articles, publish: bool = True) -> dict:
    data = nested_form_data(
        {
            "volume": "5",
            "number": str(number),
            "cover_date": cover_date,
            "title": "Spring reckonings",
            "cover_image": cover_image.pk,
            "entries": inline_formset([{"article": article.pk} for article in articles]),
        }
    )
    if publish:
        data["action-publish"] = "Publish"
    return data


def test_issue_is_made_in_the_admin_with_an_ordered_table_of_contents(sections, admin_persona_client, anonymous):
    first = ArticleFactory(title="Opening essay")
    second = ArticleFactory(title="The reviews")
    cover = CreditedImageFactory(alt_text="Cover: a cracked ice sheet")

    response = admin_persona_client.post(
        reverse("wagtailsnippets_editions_issue:add"),
        issue_form(cover_date="2024-03-15", number=6, cover_image=cover, articles=[second, first]),
    )

    assert response.status_code == 302
    issue_page = anonymous.get("/issues/2024/6/")
    assert issue_page.status_code == 200
    assert words(parsed(issue_page).select_one("main h1")) == "March 15, 2024: Spring reckonings"
    assert parsed(issue_page).select_one(".issue-header img")["alt"] == "Cover: a cracked ice sheet"
    assert headlines(issue_page, "ol.toc h3") == ["The reviews", "Opening essay"]
    assert link_targets(parsed(anonymous.get("/")).select_one("aside.current-issue"), "All past issues")


def test_article_already_in_an_issue_cannot_join_another(sections, admin_persona_client, anonymous):
    article = ArticleFactory(title="Opening essay")
    cover = CreditedImageFactory()
    admin_persona_client.post(
        reverse("wagtailsnippets_editions_issue:add"),
        issue_form(cover_date="2024-03-15", number=6, cover_image=cover, articles=[article]),
    )

    response = admin_persona_client.post(
        reverse("wagtailsnippets_editions_issue:add"),
        issue_form(cover_date="2024-04-01", number=7, cover_image=cover, articles=[article]),
    )

    assert response.status_code == 200
    assert "The issue could not be created due to errors." in admin_errors(response)
    field_errors = [words(error) for error in parsed(response).select(".error-message")]
    assert "Issue article with this Article already exists." in field_errors
    assert anonymous.get("/issues/2024/7/").status_code == 404
    assert headlines(anonymous.get("/issues/2024/6/"), "ol.toc h3") == ["Opening essay"]


def test_editor_adds_an_author_whose_page_readers_then_find(editor_client, anonymous):
    response = editor_client.post(
        reverse("wagtailsnippets_content_author:add"),
        {"name": "Mara Quill", "slug": "mara-quill", "bio": "Mara covers the courts."},
    )

    assert response.status_code == 302
    author_page = anonymous.get("/authors/mara-quill/")
    assert author_page.status_code == 200
    assert "Mara covers the courts." in main_text(author_page)


def test_reader_cannot_add_an_author(reader_client, anonymous):
    response = reader_client.post(
        reverse("wagtailsnippets_content_author:add"), {"name": "Imposter", "slug": "imposter", "bio": ""}
    )
    assert response.status_code == 302 and "/login/" in response.url
    assert anonymous.get("/authors/imposter/").status_code == 404


def test_editor_makes_and_publishes_an_issue(sections, editor_client, anonymous):
    article = ArticleFactory(title="Opening essay")

    response = editor_client.post(
        reverse("wagtailsnippets_editions_issue:add"),
        issue_form(cover_date="2024-05-01", number=9, cover_image=CreditedImageFactory(), articles=[article]),
    )

    assert response.status_code == 302
    assert headlines(anonymous.get("/issues/2024/9/"), "ol.toc h3") == ["Opening essay"]


def test_an_editor_who_is_not_a_moderator_may_prepare_an_issue_but_not_publish_it(sections, make_user, anonymous):
    writer = logged_in_client(make_user("wren", groups=("Editors",)))

    response = writer.post(
        reverse("wagtailsnippets_editions_issue:add"),
        issue_form(cover_date="2024-05-01", number=9, cover_image=CreditedImageFactory(), articles=[]),
    )

    assert response.status_code == 302
    assert Issue.objects.get(cover_date="2024-05-01").live is False
    assert anonymous.get("/issues/2024/9/").status_code == 404
