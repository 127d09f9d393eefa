from django.core.management.base import BaseCommand

from forum.pending_uploads import purge_expired


class Command(BaseCommand):
    help = "Delete files kept for posting forms that were shown again and never sent (older than a day). Run daily."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} kept upload{'s' if deleted != 1 else ''}.")
