from django.core.management.base import BaseCommand

from notifications.tasks import send_digests


class Command(BaseCommand):
    help = ("Email each member a digest of the notifications they get in a daily digest. "
            "Run once a day (cron or a scheduler); running it twice sends nothing twice.")

    def handle(self, *args, **options):
        done = send_digests()
        self.stdout.write(
            f"{done['sent']} digest{'s' if done['sent'] != 1 else ''} sent "
            f"({done['notifications']} notification{'s' if done['notifications'] != 1 else ''}), "
            f"{done['failed']} failed."
        )
