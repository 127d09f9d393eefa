from django.core.management.base import BaseCommand

from members.services import lapse_expired_memberships


class Command(BaseCommand):
    help = "Lapse active memberships whose expiry date has passed. Run daily (cron or a scheduler)."

    def handle(self, *args, **options):
        count = lapse_expired_memberships()
        self.stdout.write(f"{count} membership{'s' if count != 1 else ''} lapsed.")
