"""A WordPress site moves in from its WXR export: split articles, categories, authors, pictures and old links."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from masthead.content.models import ArticlePage, SectionPage
from tests.migration.conftest import EXPORTS, run_import
from tests.reading import link_targets, main_text, parsed, words

WXR = EXPORTS / "wordpress.xml"
FERRY_URL = "/ferries/last-ferry/"
THEATRE_URL = "/arts/town-hall-theatre/"
ACCOUNTS_URL = "/coast/quay-accounts/"


@pytest.fixture
def imported(sections, wordpress_uploads):
    return run_import(
        "import_wordpress", WXR, "--uploads", wordpress_uploads,
        "--default-section", "culture", "--subscribers-category", "members-only",
    )  # fmt: skip


def test_nextpage_splits_the_article_into_web_pages_as_the_seed_is_split(imported, anonymous):
    first, second, third = (anonymous.get(url) for url in (FERRY_URL, FERRY_URL + "2/", FERRY_URL + "3/"))

    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert "The ferry has run every morning for sixty years." in main_text(first)
    assert "Islanders say the new bridge" not in main_text(first)
    assert "The islanders" in main_text(second) and "Islanders say the new bridge will take a decade." in main_text(
        second
    )
    assert "The captain will keep the bell." in main_text(third)
    assert anonymous.get(FERRY_URL + "4/").status_code == 404
    assert ArticlePage.objects.get(slug="last-ferry").page_count == 3


def test_the_excerpt_is_the_standfirst_and_the_featured_image_keeps_its_alt_and_caption(imported, anonymous):
    article = ArticlePage.objects.get(slug="last-ferry")

    assert article.standfirst == "After sixty years, the island's ferry makes its final crossing."
    assert article.hero_image.description == "The last ferry leaving the quay at dusk"
    assert article.hero_image.credit == "Photograph: Ewa Nowak/Harbour Review"
    assert article.date.isoformat() == "2023-03-14"
    assert "After sixty years" in main_text(anonymous.get(FERRY_URL))


def test_classic_posts_keep_paragraphs_captions_and_bold_but_lose_scripts(imported, anonymous):
    response = anonymous.get(THEATRE_URL)
    html = response.content.decode()
    text = main_text(response)

    assert "The curtain went up at eight, and the hall was full." in text
    assert "The run ends in May." in text
    assert parsed(response).select_one("main b").get_text() == "built the set themselves"
    [picture] = [
        block for block in ArticlePage.objects.get(slug="town-hall-theatre").body if block.block_type == "image"
    ]
    assert picture.value["caption"] == "The stage, an hour before curtain"
    assert picture.value["image"].description == "The stage before the play"
    assert "onerror" not in html and "alert(" not in html and "player.example" not in html


def test_categories_become_sections_and_authors_keep_their_display_names(imported, anonymous):
    assert SectionPage.objects.get(slug="ferries").title == "Ferries"
    assert SectionPage.objects.get(slug="arts").intro == "Stages, galleries and books."
    byline = parsed(anonymous.get(THEATRE_URL)).select_one(".byline a")
    assert (byline.get_text(), byline["href"]) == ("Jon Bell", "/authors/jon-bell/")
    assert "Maria Kowalska" in main_text(anonymous.get(FERRY_URL))


def test_a_paywalled_category_is_for_subscribers(imported, anonymous, subscriber_client):
    assert "nobody was told" not in main_text(anonymous.get(ACCOUNTS_URL))
    assert "nobody was told" in main_text(subscriber_client.get(ACCOUNTS_URL))


def test_drafts_stay_drafts_and_pages_are_left_out(imported):
    draft = ArticlePage.objects.get(title="Notes on the lighthouse")
    assert not draft.live
    assert draft.get_parent().slug == "culture"
    assert not ArticlePage.objects.filter(slug="contact").exists()


def test_old_wordpress_links_answer_301_to_the_new_pages(imported, anonymous):
    for old, new in [
        ("/2023/03/14/last-ferry/", FERRY_URL),
        ("/2023/03/14/last-ferry/2/", FERRY_URL + "2/"),
        ("/2023/04/02/town-hall-theatre/", THEATRE_URL),
        ("/category/coast/ferries/", "/ferries/"),
        ("/author/jbell/", "/authors/jon-bell/"),
    ]:
        response = anonymous.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old


def test_a_second_run_changes_nothing(imported, wordpress_uploads):
    again = run_import("import_wordpress", WXR, "--uploads", wordpress_uploads, "--default-section", "culture",
                       "--subscribers-category", "members-only")  # fmt: skip

    assert "articles: 5 unchanged" in again
    assert "Nothing changed" in again


def test_broken_xml_names_its_line_and_imports_nothing(sections, tmp_path):
    broken = tmp_path / "export.xml"
    broken.write_text(WXR.read_text().replace("<wp:post_id>14</wp:post_id>", "<wp:post_id>14</wp:post_idd>"))

    with pytest.raises(CommandError, match=r"export.xml:\d+: not XML"):
        run_import("import_wordpress", broken, "--default-section", "culture")
    assert not ArticlePage.objects.filter(slug="last-ferry").exists()


def test_a_file_with_entities_is_refused_before_anything_is_read(sections, tmp_path):
    laughs = tmp_path / "laughs.xml"
    laughs.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        + WXR.read_text().split("\n", 1)[1].replace("Write to us.", "&b; &secret;")
    )

    with pytest.raises(CommandError, match="DOCTYPE"):
        run_import("import_wordpress", laughs, "--default-section", "culture")


def test_co_authors_plus_bylines_keep_every_author_the_post_author_first(imported, anonymous):
    def byline(url):
        return [a.get_text() for a in parsed(anonymous.get(url)).select(".byline a")]

    # The export lists a post's co-authors by name; the post's own author leads, as Co-Authors Plus sets it.
    assert byline(FERRY_URL) == ["Maria Kowalska", "Ewa Nowak"]
    assert byline(ACCOUNTS_URL) == ["Jon Bell", "Hanna Berg"]
    assert byline(THEATRE_URL) == ["Jon Bell"], "a post without co-authors keeps its one author"


def test_a_guest_author_has_an_author_page_with_her_bio_and_articles_and_her_old_link_works(imported, anonymous):
    page = main_text(anonymous.get("/authors/hanna-berg/"))

    assert "Hanna reads public accounts so you need not." in page
    assert "The Quay Accounts" in page
    response = anonymous.get("/author/hanna-berg/")
    assert (response.status_code, response["Location"]) == (301, "/authors/hanna-berg/")


def test_a_co_author_the_export_lacks_is_left_out_of_the_byline_and_reported(sections, tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(
        WXR.read_text().replace(
            '<category domain="author" nicename="cap-jbell"><![CDATA[jbell]]></category>',
            '<category domain="author" nicename="cap-jbell"><![CDATA[jbell]]></category>'
            '<category domain="author" nicename="cap-old-intern"><![CDATA[old-intern]]></category>',
        )
    )

    output = run_import("import_wordpress", export, "--default-section", "culture")

    article = ArticlePage.objects.get(slug="quay-accounts")
    assert [credit.author.name for credit in article.article_authors.all()] == ["Jon Bell", "Hanna Berg"]
    assert "1 × Co-Authors Plus bylines naming nobody in the export (left out): old-intern" in output


FESTIVAL_URL = "/arts/harbour-festival/"
FESTIVAL = "item 17 “Harbour Festival in Pictures”"


def item_line(title: str) -> int:
    """The line of the export's <item> with this title (the line before its <title>), as an editor numbers it."""
    title_at = WXR.read_text().split("\n").index(f"\t\t<title><![CDATA[{title}]]></title>")
    assert WXR.read_text().split("\n")[title_at - 1] == "\t<item>"
    return title_at


def test_shortcodes_and_embeds_read_as_wordpress_showed_them(imported, anonymous):
    response = anonymous.get(FESTIVAL_URL)

    main = parsed(response).select_one("main")
    pictures = main.select(".article-body figure.inline-image img")
    assert [img["alt"] for img in pictures] == ["The last ferry leaving the quay at dusk", "The stage before the play"]
    assert link_targets(main, "https://www.youtube.com/watch?v=festival2023") == [
        "https://www.youtube.com/watch?v=festival2023"
    ]
    assert link_targets(main, "https://vimeo.com/76979871") == ["https://vimeo.com/76979871"]
    assert link_targets(main, "Fireworks over the harbour") == ["https://www.youtube.com/watch?v=fireworks"]
    assert link_targets(main, "band.mp3") == ["https://harbour-review.example/wp-content/uploads/2023/06/band.mp3"]
    assert link_targets(main, "parade.mp4") == ["https://harbour-review.example/wp-content/uploads/2023/06/parade.mp4"]
    text = main_text(response)
    assert "The band played until the tide came in." in text and "[pullquote" not in text
    assert "The mayor called it the best yet [sic]." in text  # words in brackets are not a shortcode
    assert "https://harbour-review.example/programme.pdf" in text  # not a player WordPress embeds: words
    assert "The parade on Sunday" in text and "See you next year." in text
    assert "contact-form-7" not in text and "Tickets" not in text
    assert "document.write" not in response.content.decode()


def test_the_report_names_each_post_with_what_it_kept_as_a_link_or_left_out_and_its_line(imported):
    festival = f"{FESTIVAL} (line {item_line('Harbour Festival in Pictures')})"

    assert f"{festival}: kept as links: 1 × audio, 3 × embed, 1 × video; left out: 1 × form, 1 × script" in imported
    theatre = f"item 14 “A Season at the Town Hall Theatre” (line {item_line('A Season at the Town Hall Theatre')})"
    assert f"{theatre}: kept as links: 1 × picture; left out: 1 × iframe" in imported
    assert (
        f"{festival}: has 1 × a shortcode [pullquote] that we do not read; its words were kept (imported anyway)"
        in imported
    )
    assert "note: 3 × left out of article bodies: embed kept as a link" in imported


def test_a_gallery_block_keeps_each_pictures_own_caption_and_then_its_own(imported, anonymous):
    body = parsed(anonymous.get(FERRY_URL + "3/")).select_one("main .article-body")

    captions = []
    for figure in body.select("figure.inline-image"):
        for credit in figure.figcaption.select(".credit"):
            credit.extract()  # the picture's credit, from where its file was first imported
        captions.append(words(figure.figcaption))
    assert captions == ["Leaving the pier, 6 a.m.", "The crowd that came to wave"]
    assert words(body).endswith("The last crossing, in pictures")


def test_a_body_pictures_caption_is_shown_once_under_it(imported, anonymous):
    figure = parsed(anonymous.get(THEATRE_URL)).select_one("main .article-body figure.inline-image")

    assert words(figure.figcaption) == "The stage, an hour before curtain"
