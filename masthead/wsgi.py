import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: stored pages are answered in front of Django's handler.
from masthead.ops.gc_freeze import FreezeOnceWarm  # noqa: E402
from masthead.ops.page_cache_wsgi import StoredPagesFirst  # noqa: E402

# Outermost: it freezes what the whole loaded site holds, and counts every request (masthead/ops/gc_freeze.py).
application = FreezeOnceWarm(StoredPagesFirst(django_application))
