"""What a web process loads once is never garbage: kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the process tracks: the loaded site is about 180,000
(Django, Wagtail, our modules). That cost 120-150 ms of CPU on 2 cores (2026-12-04), paid by whichever
request was running when the collection came, about one search in 30 (bench/search.py, docs/search.md).
`gc.freeze()` moves every object alive now into a permanent generation that collections skip; such objects
are still freed when nothing refers to them, only a reference cycle among them would stay for the
process's life.

masthead/wsgi.py freezes once the site is loaded, before any request. Loaded means what every first request
would load too: the URL map (every view module, Wagtail's admin with it) and the template tag libraries,
about 42,000 objects (tests/test_gc_freeze.py), which Django loads lazily; frozen without them every full
collection still walked them: bench/search.py's largest CPU of one search was 42-70 ms, and 24-42 once they
were frozen too (2026-12-05, README "Search").
Not later: a freeze while requests run would keep their objects for ever, among them a request thread's
database connection (Django's per-thread wrapper is a cycle), which a web server's retired threads would
leave open. Compiling every template before the freeze was tried: 24 MB more per process, most of them
templates a web process never renders.
"""

from __future__ import annotations

import gc


def load_what_every_request_loads() -> None:
    """The URL map with every view module, and every template tag library: what Django loads on the first
    request, so before a freeze (tests/test_web_process_imports.py loads the same)."""
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - populating it imports every URL conf and view module
    engines["django"].engine.template_libraries  # noqa: B018 - loads every template tag library


def freeze_loaded_site() -> None:
    """Load what the first request would, collect the garbage there is, then keep every object still alive
    out of later full collections."""
    load_what_every_request_loads()
    gc.collect()
    gc.freeze()
