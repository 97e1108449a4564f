from django.http import Http404
from django.shortcuts import get_object_or_404, render

from masthead.editions.models import Issue
from masthead.editions.queries import issue_contents, issues_by_year


def archive(request):
    return render(request, "editions/archive.html", {"years": issues_by_year()})


def issue_detail(request, year: int, number: int):
    issue = get_object_or_404(Issue.objects.select_related("cover_image"), year=year, number=number)
    if not issue.live:
        raise Http404("No such issue has been published.")
    return render(request, "editions/issue.html", {"issue": issue, "articles": issue_contents(issue)})
