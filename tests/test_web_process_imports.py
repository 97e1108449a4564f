"""A web process carries only what serving pages needs: the libraries of background jobs load in them.

Each web server process imports the whole site (the admin's hooks, every view, every template tag
library) before its first request; a library imported at the top of any of those modules is paid
for in every web process, on every start (bench/README.md, "Memory and restart"). Those below are
used only by narrations, edition builds, label sheets, Stripe's webhooks, the RQ backend or the
benchmarks: the functions that use them import them.
"""

import pytest

from tests.web_process import run_in_a_new_process

# Library (or module of ours): what needs it, and the rough cost in a web process.
BACKGROUND_ONLY = {
    "onnxruntime": "Piper's runtime, narrations only (with numpy, tens of MB)",
    "piper": "the voice, narrations only",
    "numpy": "comes with onnxruntime and piper",
    "masthead.audio.frontend": "the narration text rules (num2words with them), built with a script",
    "num2words": "the narration text rules",
    "weasyprint": "PDF editions and label sheets (some 20 MB)",
    "ebooklib": "EPUB editions",
    "pypdf": "PDF editions",
    "stripe": "the Stripe gateway and its webhooks (some 8 MB)",
    "faster_whisper": "the intelligibility benchmark",
    "rq": "the RQ task backend (with Redis's client), only when TASK_BACKEND names it",
    "mutagen": "ID3 tags of new narrations",
}

WHAT_A_WEB_PROCESS_LOADS = """
import sys
import masthead.wsgi  # what granian and gunicorn import
from django.template import engines
from django.urls import reverse

reverse("healthz")  # the first request loads the URL map, and every view module with it
engines["django"].engine.template_libraries  # the first page loads every template tag library
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


@pytest.mark.slow
def test_a_web_process_loads_none_of_the_libraries_only_background_jobs_use(tmp_path):
    loaded = run_in_a_new_process(WHAT_A_WEB_PROCESS_LOADS, tmp_path, *BACKGROUND_ONLY).split()
    assert loaded == [], (
        "A web process imported "
        + "; ".join(f"{name} ({BACKGROUND_ONLY[name]})" for name in loaded)
        + ". Import it inside the function that uses it, with a comment saying why."
    )
