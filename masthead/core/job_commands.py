"""The one shape of a management command that runs jobs by hand: a progress bar, a safe stop, a summary."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable

from django.core.management.base import BaseCommand
from tqdm import tqdm


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # a deploy or `kill` stops the run as Ctrl-C does: the claim goes back


@contextlib.contextmanager
def sigterm_as_ctrl_c():
    """While the run lasts, SIGTERM raises KeyboardInterrupt (only the main thread may set a handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class JobCommand(BaseCommand):
    """Runs a job's own function over items with a progress bar; stopping is safe and a rerun carries on."""

    unit = "item"
    summary_label = "Jobs"
    failed_hint = ""

    def run_jobs(self, items: list, work: Callable[[object], Iterable[str]], verbosity: int = 1) -> Counter[str]:
        """Call `work(item)` for each item (it yields outcomes); print what happened; returns the outcome counts."""
        outcomes: Counter[str] = Counter()
        progress = tqdm(items, unit=self.unit, disable=verbosity == 0, file=self.stderr._out)
        try:
            with sigterm_as_ctrl_c():
                for item in progress:
                    for outcome in work(item):
                        outcomes[outcome] += 1
                    progress.set_postfix(outcomes, refresh=False)
        except KeyboardInterrupt:
            self.stdout.write(self.style.WARNING("Stopped. Run the command again to carry on where it stopped."))
        finally:
            progress.close()
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(f"{self.summary_label}: {summary}.")
        if outcomes.get("failed") and self.failed_hint:
            self.stdout.write(self.style.WARNING(self.failed_hint))
        return outcomes
