"""What a web process loads once is never garbage: kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the process tracks. With the site loaded that is
about 180,000 objects (Django, Wagtail, our modules) and, once it has served a while, its compiled
templates and filled caches too: 120-150 ms of CPU on 2 cores (2026-12-04), paid by whichever request
was running when the collection came, about one search in 30 (bench/search.py, docs/ops.md).
`gc.freeze()` moves every object alive now into a permanent generation that collections skip; those
objects are still freed when nothing refers to them, only a cycle among them would stay.

`FreezeOnceWarm` (masthead/wsgi.py) freezes what the process holds once the site is loaded, and once
more at its WARM_AFTER-th request, by when it has compiled its templates: a collection first, so no
garbage is frozen.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

WARM_AFTER = 50  # requests; most of a page's templates are compiled on its first request


def freeze_what_is_alive() -> None:
    """Collect the garbage there is now, then keep every object still alive out of later collections."""
    gc.collect()
    gc.freeze()


class FreezeOnceWarm:
    """A WSGI application that freezes the process's objects when made and again at its WARM_AFTER-th request."""

    def __init__(self, application: Callable, *, warm_after: int = WARM_AFTER):
        self.application = application
        self.requests_until_warm = warm_after
        self.lock = threading.Lock()
        freeze_what_is_alive()

    def __call__(self, environ, start_response):
        if self.requests_until_warm:
            with self.lock:
                if self.requests_until_warm:
                    self.requests_until_warm -= 1
                    if not self.requests_until_warm:
                        freeze_what_is_alive()
        return self.application(environ, start_response)
