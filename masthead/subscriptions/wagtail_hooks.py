"""The circulation staff's admin: Plans, Offer codes, Subscribers and Dunning, the Cancellation reasons report."""

from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.subscriptions import admin_views, dunning_admin, offers_admin, plans_admin, reasons_admin, staff_access
from masthead.subscriptions.models import Plan
from masthead.subscriptions.queries import plans_in_use


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "tag"
    menu_label = "Plans"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "interval", "price", "includes_print", "is_active"]
    list_filter = ["interval", "includes_print", "is_active"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug", help_text="The plan's address: /subscribe/<slug>/. Changing it breaks old links."),
            FieldRowPanel([FieldPanel("interval"), FieldPanel("includes_print")]),
            FieldRowPanel([FieldPanel("price"), FieldPanel("currency")]),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
        ],
        base_form_class=plans_admin.PlanForm,
    )


register_snippet(PlanViewSet)
register_snippet(offers_admin.OfferViewSet)


@hooks.register("before_delete_snippet")
def refuse_deleting_plans_in_use(request, instances):
    """A plan anyone has held stays in the ledger; staff untick Active to stop offering it."""
    in_use = plans_in_use([instance for instance in instances if isinstance(instance, Plan)])
    if in_use:
        names = ", ".join(plan.name for plan in in_use)
        messages.error(request, f"{names} cannot be deleted: readers have subscribed to it. Untick Active instead.")
        return redirect(reverse(Plan.snippet_viewset.get_url_name("list")))
    return None


class CirculationMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_access.can_manage_subscriptions(request.user)


class OfferMenuItem(MenuItem):
    def is_shown(self, request):
        return any(request.user.has_perm(f"subscriptions.{action}_offer") for action in ("add", "change", "view"))


@hooks.register("register_admin_urls")
def register_subscriber_urls():
    urlpatterns = [
        path("", admin_views.SubscriberIndexView.as_view(), name="index"),
        path("results/", admin_views.SubscriberIndexView.as_view(results_only=True), name="index_results"),
        path("cancellation-reasons/", reasons_admin.CancellationReasonsView.as_view(), name="cancellation_reasons"),
        path("dunning/", dunning_admin.DunningView.as_view(), name="dunning"),
        path("dunning/<id:subscription_id>/retry/", dunning_admin.RetryNowView.as_view(), name="retry_now"),
        path("offers/<id:offer_id>/", offers_admin.OfferRedemptionsView.as_view(), name="offer_redemptions"),
        path("<id:reader_id>/", admin_views.SubscriberDetailView.as_view(), name="detail"),
        path("<id:reader_id>/complimentary/", admin_views.ComplimentaryView.as_view(), name="complimentary"),
        path("<id:reader_id>/refund/<id:payment_id>/", admin_views.RefundView.as_view(), name="refund"),
        path("<id:reader_id>/extend/<id:subscription_id>/", admin_views.ExtendView.as_view(), name="extend"),
        path("<id:reader_id>/cancel/<id:subscription_id>/", admin_views.CancelView.as_view(), name="cancel"),
    ]
    return [path("subscribers/", include((urlpatterns, "subscribers"), namespace="subscribers"))]


@hooks.register("register_admin_menu_item")
def register_subscribers_menu_item():
    """Subscribers, and under it Dunning: the past-due ones and their retries."""
    menu = Menu(
        items=[
            CirculationMenuItem("All subscribers", reverse("subscribers:index"), name="all", icon_name="group"),
            CirculationMenuItem("Dunning", reverse("subscribers:dunning"), name="dunning", icon_name="warning"),
            OfferMenuItem(
                "Offer codes",
                reverse(offers_admin.OfferViewSet.model.snippet_viewset.get_url_name("list")),
                name="offers",
                icon_name="tag",
            ),
        ]
    )
    return SubmenuMenuItem("Subscribers", menu, name="subscribers", icon_name="group", order=290)


@hooks.register("register_reports_menu_item")
def register_cancellation_reasons_menu_item():
    return CirculationMenuItem(
        "Cancellation reasons",
        reverse("subscribers:cancellation_reasons"),
        name="cancellation-reasons",
        icon_name="comment",
        order=1300,
    )


@hooks.register("register_permissions")
def register_circulation_permission():
    """Offer the circulation permission on Wagtail's group editing page."""
    app_label, codename = staff_access.CIRCULATION_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
