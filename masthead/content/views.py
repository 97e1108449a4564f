from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from masthead.content.models import ARTICLES_PER_LIST_PAGE, Author
from masthead.content.queries import (
    articles_by_author,
    attach_sections,
    example_search_word,
    live_sections,
    page_number_from,
)
from masthead.content.search import EVERY_WORD, SearchForm, search_articles, search_reach, with_snippets


def author_detail(request, slug: str):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles_page = Paginator(articles_by_author(author), ARTICLES_PER_LIST_PAGE).get_page(page_number_from(request))
    articles_page.object_list = attach_sections(articles_page.object_list)
    return render(request, "content/author.html", {"author": author, "articles_page": articles_page})


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def search(request):
    sections = live_sections()  # read once: the form's filter, the cards' section links and the navigation
    form = SearchForm(request.GET or None, sections=sections)
    reach = search_reach(request)
    results = search_articles(form.cleaned_data, reach=reach) if form.is_valid() else None
    if results is not None:
        results_page = Paginator(results.hits, ARTICLES_PER_LIST_PAGE).get_page(page_number_from(request))
        results_page.object_list = with_snippets(
            results_page.object_list, results.terms, reach=reach, request=request, sections=sections
        )
    else:
        results_page = None
    context = {
        "nav_sections": sections,  # instead of the context processor's own read
        "form": form,
        "results": results,
        "results_page": results_page,
        "base_query": query_without_page(request),
    }
    if form.is_bound and form.is_valid() and results is None:
        context["example_word"] = example_search_word()
    response = render(request, "content/search.html", context)
    if reach == EVERY_WORD:
        response["Cache-Control"] = "private"  # found by words only the entitled may read
    return response
