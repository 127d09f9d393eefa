"""Demo associations and accounts for `manage.py seed_demo`. Idempotent: running it again
updates what exists and creates only what is missing."""

from dataclasses import dataclass

from members.models import Association, User

DEMO_PASSWORD = "comity-demo-2026"


@dataclass(frozen=True)
class DemoAssociation:
    slug: str
    name: str
    short_name: str
    contact_email: str
    region_description: str
    tagline: str


DEMO_ASSOCIATIONS = [
    DemoAssociation(
        slug="western",
        name="Western Intergovernmental Child Support Engagement Council",
        short_name="WICSEC",
        contact_email="council@western.comity.test",
        region_description=(
            "Public and private agencies and professionals from the states, tribes and territories "
            "west of the Mississippi, working together on interstate, inter-jurisdictional and "
            "international support and parentage cases since 1983."
        ),
        tagline="Interstate and inter-jurisdictional cooperation in child support and parentage.",
    ),
    DemoAssociation(
        slug="missouri",
        name="Missouri Child Support Enforcement Association",
        short_name="MCSEA",
        contact_email="office@missouri.comity.test",
        region_description=(
            "Missouri's court clerks, government attorneys, judges and hearing officers, state "
            "child support staff, federal regional staff and contractors, since 1977."
        ),
        tagline="Regional town halls, an annual training conference and a quarterly newsletter.",
    ),
]


def seed_associations() -> list[Association]:
    associations = []
    for demo in DEMO_ASSOCIATIONS:
        association, _ = Association.objects.update_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "short_name": demo.short_name,
                "contact_email": demo.contact_email,
                "region_description": demo.region_description,
            },
        )
        associations.append(association)
    return associations


def seed_admin() -> User:
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"email": "admin@comity.test", "display_name": "Comity administrator"},
    )
    if created or not admin.has_usable_password():
        admin.set_password(DEMO_PASSWORD)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def demo_logins() -> list[tuple[str, str, str]]:
    """(what the account is for, email, password) for the README and `make run`."""
    return [("Site administrator (Wagtail and Django admin)", "admin@comity.test", DEMO_PASSWORD)]
