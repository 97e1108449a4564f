"""Background jobs of circulation; the scheduler enqueues them, the worker runs them."""

from django_tasks import task

from masthead.circulation.services import close_due_issues as close_issues_due


@task()
def close_due_issues() -> dict:
    """Periodic: store the mailing list of every issue whose close date has passed; safe to run twice."""
    closed = close_issues_due()
    return {"closed": len(closed), "issues": [mailing_list.issue_id for mailing_list in closed]}
