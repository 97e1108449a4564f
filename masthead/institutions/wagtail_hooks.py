"""Institutions in the admin, for staff with the institution permissions (superusers have them)."""

from __future__ import annotations

from django.db.models import Count
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.institutions.models import Institution


def seat_use(institution: Institution) -> str:
    return f"{institution.seats_taken} of {institution.seats}"


def period(institution: Institution) -> str:
    return f"{institution.starts_on:%-d %b %Y} to {institution.ends_on:%-d %b %Y}"


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    icon = "group"
    menu_label = "Institutions"
    menu_order = 296
    add_to_admin_menu = True
    list_display = [
        "name",
        Column("period", label="Access", accessor=period),
        Column("seats", label="Seats taken", accessor=seat_use),
        "contact",
    ]
    search_fields = ["name"]

    def get_queryset(self, request):
        return Institution.objects.annotate(seats_taken=Count("memberships"))

    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on"), FieldPanel("seats")]),
            MultiFieldPanel(
                [FieldPanel("networks"), FieldPanel("email_domains"), FieldPanel("invited_emails")],
                heading="How its readers are recognised",
            ),
            FieldPanel("contact"),
        ]
    )


register_snippet(InstitutionViewSet)
