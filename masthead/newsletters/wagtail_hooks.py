"""The newsletters app's admin: the Emails menu (mailings and their progress) and the Newsletters snippets."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.editions.models import Issue
from masthead.newsletters import admin_views
from masthead.newsletters.models import Newsletter
from masthead.newsletters.permissions import can_see_mailings, can_send_mailings


class EmailsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_mailings(request.user)


@hooks.register("register_admin_urls")
def register_email_urls():
    urlpatterns = [
        path("", admin_views.index, name="index"),
        path("<id:send_id>/", admin_views.detail, name="detail"),
        path("<id:send_id>/preview/", admin_views.preview, name="preview"),
        path("<id:send_id>/test/", admin_views.test_send, name="test_send"),
        path("<id:send_id>/send/", admin_views.send_now, name="send"),
        path("issue/<id:issue_id>/", admin_views.issue_email, name="issue"),
        path("newsletter/<id:newsletter_id>/", admin_views.newsletter_email, name="newsletter"),
    ]
    return [path("emails/", include((urlpatterns, "newsletters_admin"), namespace="newsletters_admin"))]


@hooks.register("register_admin_menu_item")
def register_emails_menu_item():
    return EmailsMenuItem("Emails", reverse("newsletters_admin:index"), name="emails", icon_name="mail", order=290)


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    menu_order = 291
    add_to_admin_menu = True
    list_display = ["subject", "segment", "created_at"]


register_snippet(NewsletterViewSet)


@hooks.register("register_snippet_listing_buttons")
def email_buttons(snippet, user, next_url=None):
    """From an issue or a newsletter to its mailing: words, preview, test send, Send, progress."""
    if not can_send_mailings(user):
        return
    if isinstance(snippet, Issue):
        yield Button("Email", url=reverse("newsletters_admin:issue", args=[snippet.pk]), icon_name="mail", priority=70)
    elif isinstance(snippet, Newsletter):
        yield Button(
            "Preview and send",
            url=reverse("newsletters_admin:newsletter", args=[snippet.pk]),
            icon_name="mail",
            priority=10,
        )
