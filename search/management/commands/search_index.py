from django.core.management.base import BaseCommand, CommandError

from search.backends import SearchUnavailable, get_search_backend
from search.documents import all_documents


class Command(BaseCommand):
    help = "Manage the search index. --rebuild builds a new index and swaps it in with no downtime."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="index everything into a new index and swap it in")

    def handle(self, *args, rebuild=False, **options):
        if not rebuild:
            raise CommandError("say what to do: --rebuild")
        backend = get_search_backend()
        try:
            backend.health()
            result = backend.rebuild(all_documents())
        except SearchUnavailable as error:
            raise CommandError(f"search is unavailable: {error}") from error
        replaced = f", replacing {', '.join(result.replaced)}" if result.replaced else ""
        self.stdout.write(
            self.style.SUCCESS(f"{backend.name}: indexed {result.documents} documents into {result.index}{replaced}")
        )
