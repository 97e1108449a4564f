"""What the magazine publishes: sections, articles (possibly over several web pages), authors, images."""

from __future__ import annotations

import datetime
import html
import json
from collections.abc import Iterator
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from masthead.content.blocks import HEADING, IMAGE, PAGE_BREAK, PARAGRAPH, PULL_QUOTE, ArticleBodyBlock
from masthead.core.page_tags import RecordsWhereShown

# Section slugs live at the top of the URL space, beside these site paths.
RESERVED_SLUGS = {
    "account",
    "accounts",
    "admin",
    "audio",
    "authors",
    "django-admin",
    "healthz",
    "issues",
    "media",
    "search",
    "static",
    "subscribe",
    "sitemap.xml",
    "feed",
    "api",
    "newsletters",
    "webhooks",
    "news-sitemap.xml",
}
ARTICLES_PER_LIST_PAGE = 20
FREE, SUBSCRIBERS = "free", "subscribers"


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class CreditedImage(AbstractImage):
    """An image with the credit the magazine must print beside it; alt text is Wagtail's description."""

    credit = models.CharField(
        max_length=255,
        blank=True,
        help_text="Photographer and agency, e.g. “Oleksii Liskonih/iStock/Getty Images Plus”.",
    )

    admin_form_fields = Image.admin_form_fields + ("credit",)

    def metadata_problems(self) -> list[str]:
        """What this image lacks before an article using it may be published."""
        problems = []
        if not (self.description or "").strip():
            problems.append(f"Image “{self.title}” has no alt text (fill in its description).")
        if not self.credit.strip():
            problems.append(f"Image “{self.title}” has no credit.")
        return problems


class CreditedRendition(AbstractRendition):
    image = models.ForeignKey(CreditedImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


def paragraph_text(source: str) -> str:
    """A rich-text paragraph's words as a reader reads them: tags dropped, "&amp;" read as "&"."""
    return html.unescape(strip_tags(source))


class Author(index.Indexed, models.Model):
    """A writer; shown in bylines and on /authors/<slug>/."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(CreditedImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("bio"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("author", args=[self.slug])


class HomePage(Page):
    """The front page: latest articles, the current issue, the sections."""

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.SectionPage"]

    def get_context(self, request, *args, **kwargs):
        from masthead.content.queries import latest_articles

        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = latest_articles(limit=13)
        return context


class SectionPage(Page):
    """One of the magazine's sections; its articles are its children, so URLs are /<section>/<article>/."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ArticlePage"]

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is used by another part of the site."})

    def get_context(self, request, *args, **kwargs):
        from masthead.content.queries import articles_in_section, page_number_from

        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(articles_in_section(self), ARTICLES_PER_LIST_PAGE)
        context["articles_page"] = paginator.get_page(page_number_from(request))
        return context


class ArticleAdminForm(WagtailAdminPageForm):
    """Refuses to publish an article whose images lack alt text or a credit; a draft may be saved."""

    def clean(self):
        cleaned_data = super().clean()
        if "action-publish" in self.data:
            images = []
            if cleaned_data.get("hero_image"):
                images.append(cleaned_data["hero_image"])
            body = cleaned_data.get("body") or []
            images += [block.value["image"] for block in body if block.block_type == IMAGE and block.value["image"]]
            problems = [problem for image in images for problem in image.metadata_problems()]
            if problems:
                raise ValidationError(["This article cannot be published yet."] + problems)
        return cleaned_data


class ArticlePage(RecordsWhereShown, RoutablePageMixin, Page):
    """An article; page-break blocks split its body into web pages that each repeat title and byline."""

    standfirst = models.TextField(max_length=600, blank=True, help_text="The summary under the headline.")
    date = models.DateField("Publication date", default=datetime.date.today)
    hero_image = models.ForeignKey(CreditedImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hero_caption = models.CharField(max_length=300, blank=True)
    body = StreamField(ArticleBodyBlock(), blank=True)
    access_level = models.CharField(
        max_length=12,
        choices=[(FREE, "Free to read"), (SUBSCRIBERS, "Subscribers only")],
        default=FREE,
        help_text="Subscribers-only articles show others the teaser and the offer.",
    )
    teaser_paragraphs = models.PositiveSmallIntegerField(
        default=2, help_text="How many paragraphs of page 1 readers without access see."
    )

    base_form_class = ArticleAdminForm
    parent_page_types = ["content.SectionPage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label="Authors", min_num=1),
        FieldPanel("date"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_caption")], heading="Hero image"),
        FieldPanel("body"),
    ]
    promote_panels = Page.promote_panels + [
        MultiFieldPanel([FieldPanel("access_level"), FieldPanel("teaser_paragraphs")], heading="Paywall"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("standfirst", boost=2),
        index.SearchField("body"),
        index.RelatedFields("article_authors", [index.RelatedFields("author", [index.SearchField("name")])]),
        index.FilterField("date"),
    ]

    class Meta:
        indexes = [models.Index(fields=["-date"], name="article_date_desc")]

    # What an article's search texts are made of: saving any of these (as publishing does) re-indexes them.
    SEARCHED_FIELDS = frozenset({"title", "standfirst", "body", "access_level", "teaser_paragraphs"})

    def save(self, *args, **kwargs):
        """Save; then re-index the texts readers without a subscription may search the article by."""
        result = super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.SEARCHED_FIELDS.intersection(update_fields):
            ArticleSearchText.index_article(self.pk)
        return result

    # -- reading -------------------------------------------------------------------------------

    @cached_property
    def byline_authors(self) -> list[Author]:
        return [link.author for link in self.article_authors.all()]

    @property
    def byline_names(self) -> str:
        """ "A", "A and B", "A, B and C": the authors as bylines, tags and feeds print them."""
        return join_names([author.name for author in self.byline_authors])

    @cached_property
    def web_pages(self) -> list[list]:
        """The body's blocks grouped into web pages, split at page breaks; never empty."""
        pages: list[list] = [[]]
        for block in self.body:
            if block.block_type == PAGE_BREAK:
                if pages[-1]:
                    pages.append([])
            else:
                pages[-1].append(block)
        if len(pages) > 1 and not pages[-1]:
            pages.pop()
        return pages

    @property
    def page_count(self) -> int:
        return len(self.web_pages)

    def body_text(self) -> str:
        """The article's words as plain text, in order; indexed for search, quoted by feeds."""
        return "\n".join(self.body_text_parts())

    def body_text_parts(self) -> Iterator[str]:
        """`body_text` a block at a time, so a search snippet stops reading at the passage it quotes."""
        for block in self.body:
            if block.block_type == PARAGRAPH:
                yield paragraph_text(block.value.source)
            elif block.block_type == HEADING:
                yield block.value
            elif block.block_type == PULL_QUOTE:
                yield block.value["quote"]

    def teaser_blocks(self) -> list:
        """What readers without access see of the body: the first paragraphs of page 1."""
        paragraphs = [block for block in self.web_pages[0] if block.block_type == PARAGRAPH]
        return paragraphs[: self.teaser_paragraphs]

    def teaser_text(self) -> str:
        return "\n".join(self.teaser_text_parts())

    def teaser_text_parts(self) -> Iterator[str]:
        return (paragraph_text(block.value.source) for block in self.teaser_blocks())

    def web_page_url(self, number: int) -> str:
        if number == 1:
            return self.url
        return self.url + self.reverse_subpage("numbered_page", args=[number])

    def single_page_url(self) -> str:
        return self.url + self.reverse_subpage("single_page")

    def news_article_json_ld(self, *, free: bool, request=None) -> str:
        """schema.org NewsArticle; gated articles mark the body as the paid part, so the teaser is not cloaking."""
        from django.conf import settings

        def absolute(url: str) -> str:
            return request.build_absolute_uri(url) if request is not None else url

        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "description": self.standfirst,
            "datePublished": self.date.isoformat(),
            "author": [
                {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
                for author in self.byline_authors
            ],
            "publisher": {"@type": "Organization", "name": settings.MAGAZINE_NAME, "url": absolute("/")},
            "isAccessibleForFree": free,
        }
        if self.last_published_at:
            data["dateModified"] = self.last_published_at.isoformat()
        if request is not None:
            data["mainEntityOfPage"] = {"@type": "WebPage", "@id": absolute(self.url)}
        if self.hero_image:
            rendition = self.hero_image.get_rendition("width-1200")  # the hero's own: no query of its own
            data["image"] = {
                "@type": "ImageObject",
                "url": absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "caption": self.hero_caption or self.hero_image.description,
                "creditText": self.hero_image.credit,
            }
        if not free:
            data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".article-body"}
        text = json.dumps(data, ensure_ascii=False)
        # Escaped like json_script so no value can close the <script> element.
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return mark_safe(text)  # noqa: S308

    # -- routes ----------------------------------------------------------------------------------

    @path("")
    def first_page(self, request):
        return self.render_web_page(request, 1)

    @path("<int:number>/", name="numbered_page")
    def numbered_page(self, request, number: int):
        if number == 1:
            return HttpResponsePermanentRedirect(self.url)
        if not 1 <= number <= self.page_count:
            raise Http404("This article has no such page.")
        return self.render_web_page(request, number)

    @path("all/", name="single_page")
    def single_page(self, request):
        blocks = [block for page in self.web_pages for block in page]
        return self.render(
            request,
            context_overrides={
                "blocks": blocks,
                "single_page": True,
                "show_hero": True,
                "canonical_url": self.full_url + self.reverse_subpage("single_page"),
            },
        )

    def render_web_page(self, request, number: int):
        count = self.page_count
        return self.render(
            request,
            context_overrides={
                "blocks": self.web_pages[number - 1],
                "page_number": number,
                "single_page": count == 1,
                "show_hero": number == 1,
                "canonical_url": self.full_url
                + ("" if number == 1 else self.reverse_subpage("numbered_page", args=[number])),
                "previous_page_url": self.web_page_url(number - 1) if number > 1 else None,
                "next_page_url": self.web_page_url(number + 1) if number < count else None,
            },
        )

    def render(self, request, *args, context_overrides=None, **kwargs):
        """Every web page of the article passes the paywall: without access, only the teaser is sent."""
        from masthead.access.paywall import request_article_access

        overrides = dict(context_overrides or {})
        access = request_article_access(request, self, count_meter=True)
        overrides["access"] = access
        if not access.allowed:
            overrides["blocks"] = self.teaser_blocks()
        overrides["json_ld"] = self.news_article_json_ld(free=not access.gated, request=request)
        return super().render(request, *args, context_overrides=overrides, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Previews and direct serve() calls come without a route; show page 1 then (render gates it).
        context.setdefault("blocks", self.web_pages[0])
        context.setdefault("page_number", 1)
        context.setdefault("show_hero", context["page_number"] == 1)
        context["page_count"] = self.page_count
        context["section"] = self.get_parent().specific
        return context


class ArticleAuthor(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="article_links")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="one_byline_per_author")]


class SearchableQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class ArticleSearchText(index.Indexed, models.Model):
    """A text of an article that readers without a subscription search, so no search reveals gated words.

    The article's own entry in the search index holds every word; entitled readers search that. Each
    article has two of these, indexed from the live article whenever it is saved (docs/paywall.md):
    - `teaser`: byline, title, standfirst and teaser paragraphs, what the paywall shows anyone;
    - `open`: the same for a subscribers-only article; every word of a free one.
    """

    TEASER, OPEN = "teaser", "open"

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="search_texts")
    reach = models.CharField(max_length=6, choices=[(TEASER, "What the teaser shows"), (OPEN, "What is free")])

    objects = SearchableQuerySet.as_manager()

    search_fields = [
        # The title and standfirst weighted as in the article's own entry, so their words rank alike in every
        # reach and are salient there (content/0009): the one-word read stays on the small index (docs/search.md).
        index.SearchField("title", boost=2),
        index.SearchField("standfirst", boost=2),
        index.SearchField("text"),
        index.SearchField("authors"),  # last, as in the article's own entry: a snippet leaves them off the end
        index.FilterField("reach"),
        index.FilterField("article"),
        # Nothing here is autocompleted: the index entry's autocomplete column carries the reach, on which
        # each reach has a RUM index of its own (content/0008, docs/search.md).
        index.AutocompleteField("reach"),
    ]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "reach"], name="one_search_text_per_reach")]

    def __str__(self) -> str:
        return f"{self.reach} text of article {self.article_id}"

    @classmethod
    def index_article(cls, article_id: int) -> None:
        """Make sure the article has both texts, and queue their indexing as Wagtail queues the article's own."""
        from wagtail.search.tasks import insert_or_update_object_task

        for reach in (cls.TEASER, cls.OPEN):
            text, created = cls.objects.get_or_create(article_id=article_id, reach=reach)
            if not created:  # a new row is queued by the search app's own post_save handler
                insert_or_update_object_task.enqueue(cls._meta.app_label, cls._meta.model_name, str(text.pk))

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().select_related("article")

    def title(self) -> str:
        return self.article.title

    def standfirst(self) -> str:
        return self.article.standfirst

    def text(self) -> str:
        """The blocks this reach may match, read from the live article when indexed, through the paywall's rules."""
        from masthead.access.models import PaywallSettings
        from masthead.access.paywall import public_body_parts

        if self.reach == self.OPEN:
            # The paywall's public text by the editors' choice alone: with the archive rule on, search
            # uses `teaser` for everyone without a subscription (any free article may age into the archive).
            return "\n".join(public_body_parts(self.article, PaywallSettings(archive_after_days=None)))
        return "\n".join(self.article.teaser_text_parts())

    def authors(self) -> str:
        return " ".join(author.name for author in self.article.byline_authors)
