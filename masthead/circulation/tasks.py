"""Background jobs of circulation; the scheduler enqueues them, the worker runs them."""

from django_tasks import task

from masthead.circulation.days import store_days
from masthead.circulation.services import close_due_issues as close_issues_due
from masthead.circulation.services import store_missing_printer_files


@task()
def close_due_issues() -> dict:
    """Periodic: store the mailing list of every issue whose close date has passed, then its printer's files.

    Safe to run twice. The files (CSV, label sheets) are rendered here, in the worker, after each
    list is committed, so a download in the web request serves stored bytes; a list whose files
    failed to render is retried on the next run.
    """
    closed = close_issues_due()
    files = store_missing_printer_files()
    return {
        "closed": len(closed),
        "issues": [mailing_list.issue_id for mailing_list in closed],
        "files_stored": len(files),
    }


@task()
def store_circulation_days() -> dict:
    """Periodic (hourly): keep each day's figures for the circulation dashboard, drawing the unsettled days again.

    Safe to run twice. A page view draws only days that are missing; this job also draws the last
    days again, whose money can still change while their renewals are retried (days.SETTLE_DAYS).
    """
    return {"days_drawn": store_days()}
