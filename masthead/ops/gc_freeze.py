"""What a web process loads once is never garbage: kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the process tracks: the loaded site is about 180,000
(Django, Wagtail, our modules). That cost 120-150 ms of CPU on 2 cores (2026-12-04), paid by whichever
request was running when the collection came, about one search in 30 (bench/search.py, docs/search.md).
`gc.freeze()` moves every object alive now into a permanent generation that collections skip; such objects
are still freed when nothing refers to them, only a reference cycle among them would stay for the
process's life.

masthead/wsgi.py freezes once the site is loaded, before any request: what the first requests make
(compiled templates, caches) is still walked, a collection of about 27 ms where it was 120-150. Not later:
a freeze while requests run would keep their objects for ever, among them a request thread's database
connection (Django's per-thread wrapper is a cycle), which a web server's retired threads would leave
open. Compiling every template before the freeze was tried: 24 MB more per process, most of them
templates a web process never renders.
"""

from __future__ import annotations

import gc


def freeze_loaded_site() -> None:
    """Collect the garbage there is, then keep every object still alive out of later full collections."""
    gc.collect()
    gc.freeze()
