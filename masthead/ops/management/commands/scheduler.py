import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs (settings.PERIODIC_TASKS) on their intervals; runs beside the worker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic job once and exit")

    def handle(self, once: bool, **options):
        task_queues = None
        if "held" in settings.TASKS:
            # On RQ, tasks enqueued while Redis was down wait in the database until it answers (ops/task_queues.py).
            from masthead.ops import task_queues

        last_run: dict[str, float] = {}
        while True:
            if task_queues and (released := task_queues.release_held_tasks()):
                self.stdout.write(f"Released {released} task(s) held while Redis was down")
            now = time.monotonic()
            for task_path, interval in settings.PERIODIC_TASKS.items():
                if once or now - last_run.get(task_path, -interval) >= interval:
                    last_run[task_path] = now
                    if task_queues and task_queues.is_held(task_path):
                        continue  # Redis is still down: one copy waits for it, not one per interval
                    import_string(task_path).enqueue()
                    self.stdout.write(f"Enqueued {task_path}")
            if once:
                return
            time.sleep(30)
