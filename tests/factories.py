"""Test data built the way the site builds it: articles through the content services, images as pictures."""

from __future__ import annotations

import datetime

import factory
from django.conf import settings
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from masthead.content.models import ArticlePage, Author, CreditedImage, SectionPage
from masthead.content.placeholder_images import create_placeholder_image
from masthead.content.services import create_or_update_article
from masthead.editions.models import Issue, IssueArticle


class AuthorFactory(DjangoModelFactory):
    """A writer; the slug is the one bylines resolve names to, so a name means one author."""

    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Faker("name")
    slug = factory.LazyAttribute(lambda author: slugify(author.name))
    bio = factory.Faker("paragraph", nb_sentences=2)


class CreditedImageFactory(factory.Factory):
    """A small generated picture with alt text and a credit (pass "" for either to leave it out)."""

    class Meta:
        model = CreditedImage

    title = factory.Sequence(lambda n: f"Photograph {n}")
    alt_text = factory.Faker("sentence", nb_words=8)
    credit = factory.Faker("name")
    seed = factory.SelfAttribute("title")
    size = (160, 90)

    @classmethod
    def _create(cls, model_class, **kwargs) -> CreditedImage:
        return create_placeholder_image(**kwargs)


def paragraphs(*texts: str) -> list[str]:
    """One web page of paragraph HTML, as the article services take it."""
    return [f"<p>{text}</p>" for text in texts]


class ArticleFactory(factory.Factory):
    """A published article under a section, created through `create_or_update_article`.

    `pages` is a list of web pages, each a list of paragraph HTML; `body` (StreamField data) wins
    over `pages` when given. `authors` are Author rows; `section` defaults to Politics.
    """

    class Meta:
        model = ArticlePage

    section = factory.LazyFunction(lambda: SectionPage.objects.get(slug="politics"))
    title = factory.Faker("sentence", nb_words=6, variable_nb_words=False)
    slug = factory.LazyAttributeSequence(lambda article, n: f"{slugify(article.title)[:60]}-{n}")
    authors = factory.LazyFunction(lambda: [AuthorFactory()])
    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    standfirst = factory.Faker("sentence", nb_words=14)
    pages = factory.LazyFunction(lambda: [paragraphs("The first paragraph.", "The second paragraph.")])
    body = None
    hero_image = None
    hero_caption = ""
    publish = True
    access_level = None  # "subscribers" for exclusive content; None keeps the model's default (free)

    @classmethod
    def _create(cls, model_class, *, authors: list[Author], **kwargs) -> ArticlePage:
        return create_or_update_article(author_names=[author.name for author in authors], **kwargs)


def issue_number_for(cover_date: datetime.date) -> int:
    """Issues fall on the 1st and the 15th: two a month, numbered from 1 each year."""
    return (cover_date.month - 1) * 2 + (1 if cover_date.day < 15 else 2)


class IssueFactory(DjangoModelFactory):
    """A published issue with a cover; `articles=[...]` makes its table of contents in that order."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    cover_date = factory.Sequence(
        lambda n: datetime.date(2024 + n // 24, (n % 24) // 2 + 1, 1 if n % 2 == 0 else 15),
    )
    number = factory.LazyAttribute(lambda issue: issue_number_for(issue.cover_date))
    volume = factory.LazyAttribute(lambda issue: issue.cover_date.year - settings.FIRST_VOLUME_YEAR + 1)
    title = ""
    cover_image = factory.SubFactory(CreditedImageFactory)
    live = True
    has_unpublished_changes = False

    @factory.post_generation
    def articles(issue, create, extracted, **kwargs):
        for position, article in enumerate(extracted or []):
            IssueArticle.objects.create(issue=issue, article=article, sort_order=position)
