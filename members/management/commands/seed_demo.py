from django.core.management.base import BaseCommand
from django.db import transaction

from cms.demo import seed_pages
from members.demo import demo_logins, seed_admin, seed_associations


class Command(BaseCommand):
    help = "Load Comity's demo content. Safe to run again: it creates only what is missing."

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_associations()
            seed_admin()
            seed_pages()
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        self.stdout.write("Demo logins:")
        for purpose, email, password in demo_logins():
            self.stdout.write(f"  {purpose}: {email} / {password}")
