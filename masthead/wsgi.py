import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: stored pages are answered in front of Django's handler.
from masthead.ops.gc_freeze import freeze_loaded_site  # noqa: E402
from masthead.ops.page_cache_wsgi import StoredPagesFirst  # noqa: E402

application = StoredPagesFirst(django_application)
freeze_loaded_site()  # last: what the loaded site holds stays out of full garbage collections
