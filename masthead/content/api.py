"""A small read-only JSON API of published articles; the body goes through the paywall like every surface."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string

from masthead.access.paywall import request_article_access
from masthead.content.models import ArticlePage
from masthead.content.queries import attach_sections, page_number_from, published_articles
from masthead.core.page_cache import mark_user_dependent

API_PAGE_SIZE = 20


def article_summary(article: ArticlePage) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.full_url,
        "section": article.section.title if getattr(article, "section", None) else None,
        "authors": [{"name": author.name, "url": author.get_absolute_url()} for author in article.byline_authors],
        "date": article.date.isoformat(),
        "standfirst": article.standfirst,
        "access_level": article.access_level,
        "pages": article.page_count,
    }


def article_list(request):
    page = Paginator(published_articles(), API_PAGE_SIZE).get_page(page_number_from(request))
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [article_summary(article) for article in attach_sections(page.object_list)],
        }
    )


def article_detail(request, article_id: int):
    article = get_object_or_404(published_articles(), pk=article_id)
    attach_sections([article])
    access = request_article_access(request, article)
    if access.gated:
        mark_user_dependent(request)
    blocks = [block for page in article.web_pages for block in page] if access.allowed else article.teaser_blocks()
    data = article_summary(article)
    data["is_accessible_for_free"] = not access.gated
    data["full_text"] = access.allowed
    data["body_html"] = render_to_string("content/includes/blocks.html", {"blocks": blocks}, request=request)
    response = JsonResponse(data)
    if access.gated:
        response["Cache-Control"] = "private"
    return response
