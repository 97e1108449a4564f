"""The RQ task backend with one queue per kind of work, so a narration backfill never delays a renewal.

RQ has no priorities (`core.tasks.at_priority` is a no-op there); instead each task goes to the queue
its module is routed to (settings.TASK_QUEUE_ROUTES: billing, email, editions, audio), and each queue
has workers of its own (`scripts/prod/start.sh`). The tasks themselves name no queue: the same code
runs on the embedded database backend, where priorities order one queue.

A task enqueued while Redis cannot be reached is not lost: it is held in the database (the backend
`HELD`, django-tasks' database backend, whose rows no worker runs) and the scheduler hands it to RQ
once Redis answers again (`release_held_tasks`). A task is run twice, never zero times, when the
scheduler dies between that hand-over and the row's deletion, or when Redis took an enqueue but timed
out before answering: every task is written to be run again safely. A periodic task is held once
however long the outage (the scheduler skips one already held), and a held task that can no longer be
enqueued (renamed by a deploy meanwhile) is marked failed with its error instead of stopping the rest.
"""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME, TaskResultStatus
from django_tasks_rq.backend import RQBackend

from masthead.ops.redis_cache import REDIS_DOWN

logger = logging.getLogger(__name__)

HELD = "held"  # settings.TASKS alias: where tasks wait while Redis is down


def queue_for(module_path: str) -> str:
    """The queue a task goes to: the longest matching prefix in TASK_QUEUE_ROUTES, else "default"."""
    routes = getattr(settings, "TASK_QUEUE_ROUTES", {})
    matches = [prefix for prefix in routes if module_path == prefix or module_path.startswith(prefix + ".")]
    return routes[max(matches, key=len)] if matches else DEFAULT_TASK_QUEUE_NAME


class RoutedRQBackend(RQBackend):
    """django-tasks' RQ backend, sending each task that names no queue of its own to its routed queue."""

    def enqueue(self, task, args, kwargs):
        try:
            return self.enqueue_on_redis(task, args, kwargs)
        except REDIS_DOWN as error:
            logger.warning("Redis is down (%s): %s held in the database until it answers", error, task.module_path)
            return task.using(backend=HELD).enqueue(*args, **kwargs)

    def enqueue_on_redis(self, task, args, kwargs):
        """Enqueue on the task's routed queue; raises if Redis cannot be reached."""
        if task.queue_name == DEFAULT_TASK_QUEUE_NAME:
            queue = queue_for(task.module_path)
            if queue != DEFAULT_TASK_QUEUE_NAME:
                task = task.using(queue_name=queue)
        return super().enqueue(task, args, kwargs)


def held_tasks():
    """Rows of tasks held while Redis was down, due or not: RQ keeps a later one's time."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(backend_name=HELD, status=TaskResultStatus.READY)


def is_held(task_path: str) -> bool:
    return held_tasks().filter(task_path=task_path).exists()


def release_held_tasks(limit: int = 1000) -> int:
    """Hand the tasks held while Redis was down to RQ, oldest first; how many went. Stops while Redis is down."""
    released = 0
    for held_id in held_tasks().order_by("enqueued_at").values_list("id", flat=True)[:limit]:
        with transaction.atomic():
            held = held_tasks().select_for_update(skip_locked=True).filter(id=held_id).first()
            if held is None:
                continue  # released meanwhile by another scheduler
            try:
                task = held.task.using(backend="default")
                task.get_backend().enqueue_on_redis(task, held.args_kwargs["args"], held.args_kwargs["kwargs"])
            except REDIS_DOWN:
                return released
            except Exception as error:
                # A task renamed by a deploy meanwhile, or arguments it no longer takes: kept, failed, for
                # the admin (django-tasks' results) and the logs; the others still go.
                logger.exception("A task held while Redis was down cannot be enqueued: %s", held.task_path)
                held.status = TaskResultStatus.FAILED
                held.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
                held.traceback = traceback.format_exc()
                held.finished_at = timezone.now()
                held.save(update_fields=["status", "exception_class_path", "traceback", "finished_at"])
                continue
            held.delete()
        released += 1
    if released:
        logger.info("Released %d held task(s) to RQ", released)
    return released


def depths() -> dict[str, int]:
    """Tasks waiting in each queue (RQ), or ready in the database backend's one table."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("RQBackend"):
        import django_rq

        waiting = {name: django_rq.get_queue(name).count for name in settings.RQ_QUEUES}
        return waiting | {HELD: held_tasks().count()}
    if backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return {"default": DBTaskResult.objects.ready().count()}
    return {}
