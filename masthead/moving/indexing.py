"""Search and reference indexing for an import's batch: once per saved object, at the end of the batch.

Every save of an indexed model normally queues a search-index task and a reference-index task (Wagtail's and
modelsearch's `post_save` handlers), and creating one published article saves its page three times: thirteen
queued tasks an article, each done again by a worker after the import. Inside `indexed_once_per_batch` those
handlers are held back, the saved objects are noted, and at the end of the batch each one is indexed once, in
the batch's own transaction (the database search backend's index is a table of the same database), so a batch
that rolls back leaves no index entries and one that commits is searchable at once.
The handlers are disconnected for the whole process while a batch runs: only an import command's process
runs batches.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models.signals import post_save
from modelcluster.fields import ParentalKey
from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

logger = logging.getLogger(__name__)


def searched_models() -> list[type]:
    """The models whose saves modelsearch indexes (those its `post_save` handler is connected for)."""
    return [model for model in index.get_indexed_models() if getattr(model, "search_auto_update", True)]


def reference_owner(instance) -> tuple[type, object] | None:
    """The object whose references a save changes: itself, or for an inline child (a byline) its parent page,
    as Wagtail's reference-index task finds it."""
    model, pk = type(instance), instance.pk
    while pk is not None:
        parental_key = next((f for f in model._meta.get_fields() if isinstance(f, ParentalKey)), None)
        if parental_key is None:
            return model, pk
        if instance is not None:
            pk, instance = getattr(instance, parental_key.attname), None
        else:
            pk = model.objects.filter(pk=pk).values_list(parental_key.attname, flat=True).first()
        model = parental_key.related_model
    return None


@contextmanager
def indexed_once_per_batch(*, index_at_the_end: bool = True) -> Iterator[None]:
    """Hold back per-save indexing inside; at the end (if nothing raised) index each saved object once.

    `index_at_the_end=False` (a dry run, which rolls everything back) only holds the indexing back.
    """
    models = searched_models()
    searched = set(models)
    to_search: dict[type, set] = defaultdict(set)
    to_reference: dict[type, set] = defaultdict(set)

    def note_save(sender, instance, raw=False, **kwargs):
        if raw:
            return
        if sender in searched:
            to_search[sender].add(instance.pk)
        if sender in ReferenceIndex.tracked_models:
            owner = reference_owner(instance)
            if owner is not None:
                to_reference[owner[0]].add(owner[1])

    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    post_save.connect(note_save, weak=False, dispatch_uid="moving_note_save_for_indexing")
    try:
        with disable_reference_index_auto_update():
            yield
        if index_at_the_end:
            index_saved(to_search, to_reference)
    finally:
        post_save.disconnect(dispatch_uid="moving_note_save_for_indexing")
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)


def index_saved(to_search: dict[type, set], to_reference: dict[type, set]) -> None:
    """Index the noted objects still in the database: the search index in bulk per model, then references."""
    for model, pks in to_search.items():
        objects = list(model.get_indexed_objects().filter(pk__in=pks))
        for backend in get_search_backends(with_auto_update=True) if objects else ():
            try:
                backend.add_bulk(model, objects)
            except Exception:
                # As modelsearch does: an external search service being down must not lose the batch; the
                # database backend's errors are the transaction's and are raised.
                if not backend.catch_indexing_errors:
                    raise
                logger.exception("Indexing %d imported %s objects failed", len(objects), model._meta.label)
    for model, pks in to_reference.items():
        if ReferenceIndex.is_indexed(model):
            for instance in model.objects.filter(pk__in=pks):
                ReferenceIndex.create_or_update_for_object(instance)
