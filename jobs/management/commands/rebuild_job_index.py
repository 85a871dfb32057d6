"""manage.py rebuild_job_index: refresh the database search entries, then (when Elasticsearch
is configured) build a new index behind the alias and swap it in without downtime."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from jobs.models import JobPage
from jobs.search import es
from jobs.search.indexing import (
    database_index_rebuild,
    entries_changed_since,
    entries_for_index,
    visible_entry_count,
)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )


class Command(BaseCommand):
    help = "Rebuild job search: database entries, then a new Elasticsearch index behind the alias."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-old", action="store_true", help="Keep the previous Elasticsearch index."
        )

    def handle(self, *args, keep_old=False, **options):
        started = timezone.now()
        with _progress() as progress:
            task = progress.add_task("Database entries", total=JobPage.objects.count())
            count = database_index_rebuild(progress=lambda n: progress.advance(task, n))
        self.stdout.write(f"Refreshed {count} database search entries.")
        if not es.enabled():
            self.stdout.write("ELASTICSEARCH_URL is not set: the database serves search.")
            return
        try:
            self._rebuild_elasticsearch(started=started, keep_old=keep_old)
        except es.UNAVAILABLE as error:
            raise CommandError(f"Elasticsearch failed: {error!r}") from error

    def _rebuild_elasticsearch(self, *, started, keep_old: bool) -> None:
        name = es.new_index_name()
        es.create_index(name)
        with _progress() as progress:
            task = progress.add_task(f"Index {name}", total=visible_entry_count())
            indexed = 0
            for entry_batch in _chunks(entries_for_index(), 500):
                indexed += es.bulk_index(entry_batch, index=name)
                progress.advance(task, len(entry_batch))
        es.client().indices.refresh(index=name)
        old = es.swap_alias(name)
        # Changes made while the new index was built went to the old one: replay them.
        changed = entries_changed_since(started)
        if changed:
            es.bulk_index(changed, index=name)
        if not keep_old:
            es.delete_indexes(old)
        self.stdout.write(
            f"Indexed {indexed} listings into {name}; alias {es.alias_name()} now points to it"
            f"{'' if keep_old or not old else f'; deleted {len(old)} old index(es)'}."
        )


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
