from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from cms.demo import seed_members_only_pages, seed_pages
from cms.events.demo import seed_events
from cms.legislation.demo import seed_legislative_updates
from cms.newsletters.demo import seed_newsletters
from forum.demo import seed_forum
from members.demo import demo_logins, seed_admin, seed_associations, seed_people


class Command(BaseCommand):
    help = "Load Comity's demo content. Safe to run again: it creates only what is missing."

    def handle(self, *args, **options):
        # Demo people get no emails about their demo applications.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                seed_associations()
                admin = seed_admin()
                seed_pages()
                seed_people(admin)
                seed_members_only_pages()
                seed_forum()
                seed_newsletters()
                seed_legislative_updates()
                seed_events()
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        self.stdout.write("Demo logins:")
        for purpose, email, password in demo_logins():
            self.stdout.write(f"  {purpose}: {email} / {password}")
