import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: stored pages are answered in front of Django's handler.
from masthead.ops.page_cache_wsgi import StoredPagesFirst  # noqa: E402

application = StoredPagesFirst(django_application)
