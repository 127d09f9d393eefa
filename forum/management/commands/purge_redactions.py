"""Blank the original text of redactions kept longer than FORUM_REDACTION_RETENTION_DAYS.
Run daily from cron; `--enqueue` hands the work to the background worker instead."""

from django.core.management.base import BaseCommand

from forum.moderation import purge_expired_redactions, purge_redactions_task


class Command(BaseCommand):
    help = "Purge the original text of redactions whose retention time is over."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Run it as a django-tasks task.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = purge_redactions_task.enqueue()
            self.stdout.write(f"Queued the purge ({result.id}).")
            return
        count = purge_expired_redactions()
        self.stdout.write(f"Purged the original text of {count} redaction{'' if count == 1 else 's'}.")
