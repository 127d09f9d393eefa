from django.core.management.base import BaseCommand

from notifications.handlers import remind_upcoming_events


class Command(BaseCommand):
    help = ("Remind registered members of events starting within the next 24 hours. Run hourly "
            "(cron or a scheduler); each registration is reminded once.")

    def handle(self, *args, **options):
        count = remind_upcoming_events()
        self.stdout.write(f"{count} event reminder{'s' if count != 1 else ''} sent.")
