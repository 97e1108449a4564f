from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin as django_admin
from django.urls import include, path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.core import views as core_views
from masthead.newsletters import urls as newsletters_urls
from masthead.newsletters import webhooks as email_webhooks
from masthead.subscriptions.urls import stripe_webhook_urlpatterns, subscribe_urlpatterns

# allauth answers its own rate limits with this (Django itself has no 429 handler).
handler429 = core_views.too_many_requests

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("masthead.ops.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", django_admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("subscribe/", include(subscribe_urlpatterns)),
    path("gifts/", include("masthead.gifts.urls")),
    path("institutions/", include("masthead.institutions.urls")),
    path("webhooks/stripe/", include(stripe_webhook_urlpatterns)),
    path("newsletters/", include("masthead.newsletters.urls")),
    path("webhooks/email/", include(email_webhooks.webhook_urls)),
    # Before allauth's pages (in accounts): /account/email/ is the reader's email choices.
    path("account/email/", include(newsletters_urls.preferences_urlpatterns)),
    path("account/pause/", include("masthead.circulation.pause_urls")),
    path("account/", include("masthead.accounts.urls")),
    # allauth's email addresses page, moved here; after allauth's own, so this one is what its name reverses to.
    path("account/email/addresses/", allauth_views.email, name="account_email"),
    path("issues/", include("masthead.editions.urls")),
    path("audio/", include("masthead.audio.urls")),
    path("", include("masthead.content.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded default serves uploaded media itself; a scaled-out site uses object storage.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
