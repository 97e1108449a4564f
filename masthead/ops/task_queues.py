"""The RQ task backend with one queue per kind of work, so a narration backfill never delays a renewal.

RQ has no priorities (`core.tasks.at_priority` is a no-op there); instead each task goes to the queue
its module is routed to (settings.TASK_QUEUE_ROUTES: billing, email, editions, audio), and each queue
has workers of its own (`scripts/prod/start.sh`). The tasks themselves name no queue: the same code
runs on the embedded database backend, where priorities order one queue.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from django_tasks_rq.backend import RQBackend


def queue_for(module_path: str) -> str:
    """The queue a task goes to: the longest matching prefix in TASK_QUEUE_ROUTES, else "default"."""
    routes = getattr(settings, "TASK_QUEUE_ROUTES", {})
    matches = [prefix for prefix in routes if module_path == prefix or module_path.startswith(prefix + ".")]
    return routes[max(matches, key=len)] if matches else DEFAULT_TASK_QUEUE_NAME


class RoutedRQBackend(RQBackend):
    """django-tasks' RQ backend, sending each task that names no queue of its own to its routed queue."""

    def enqueue(self, task, args, kwargs):
        if task.queue_name == DEFAULT_TASK_QUEUE_NAME:
            queue = queue_for(task.module_path)
            if queue != DEFAULT_TASK_QUEUE_NAME:
                task = task.using(queue_name=queue)
        return super().enqueue(task, args, kwargs)


def depths() -> dict[str, int]:
    """Tasks waiting in each queue (RQ), or ready in the database backend's one table."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("RQBackend"):
        import django_rq

        return {name: django_rq.get_queue(name).count for name in settings.RQ_QUEUES}
    if backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return {"default": DBTaskResult.objects.ready().count()}
    return {}
