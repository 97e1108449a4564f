from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the site in production: readiness, metrics, JSON logs, the front cache, task queues, backups."""

    name = "masthead.ops"
    label = "ops"

    def ready(self):
        from django_tasks.signals import task_finished

        from masthead.core.page_cache import page_cache_cleared
        from masthead.ops import front_cache, metrics

        page_cache_cleared.connect(front_cache.purge_on_commit, dispatch_uid="ops_front_cache_purge")
        task_finished.connect(metrics.count_finished_task, dispatch_uid="ops_task_finished_metric")
