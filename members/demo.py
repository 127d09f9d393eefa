"""Demo associations, eligibility categories, regions and people for `manage.py seed_demo`.

Idempotent: running it again updates what exists and creates only what is missing.
Memberships and roles are made through the same services the site uses.
"""

from dataclasses import dataclass, field
from functools import cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from members import services
from members.models import Association, EligibilityCategory, Jurisdiction, Membership, Profile, Region, Role, User

DEMO_PASSWORD = "comity-demo-2026"


@dataclass(frozen=True)
class DemoAssociation:
    slug: str
    name: str
    short_name: str
    contact_email: str
    region_description: str
    tagline: str
    categories: list[tuple[str, str, str]]  # (code, name, description)
    regions: list[str] = field(default_factory=list)


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
        categories=[
            ("STATE", "State IV-D agency staff", "Caseworkers, attorneys, managers and directors of a western state's child support agency."),
            ("TRIBE", "Tribal and territorial program staff", "Staff of tribal IV-D programs and territorial agencies in the west."),
            ("COURT", "Courts and legal practice", "Judges, commissioners, hearing officers, clerks and private attorneys."),
            ("PRIVATE", "Private sector", "Businesses serving child support agencies or custodial parents in a western jurisdiction."),
            ("FEDERAL", "Federal staff", "OCSS and HHS regional office staff."),
            ("RETIRED", "Retirees", "Retired professionals from any of the categories above."),
        ],
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
        categories=[
            ("A", "Court clerks and staff", "Circuit clerks, court administrators and related court staff in state, tribal or federal courts in Missouri."),
            ("B", "Government attorneys and staff", "Missouri government attorneys and their staff."),
            ("C", "Judges and hearing officers", "State, tribal and federal judges, commissioners and hearing officers in Missouri."),
            ("D", "State child support employees", "State of Missouri employees in child support work."),
            ("E", "Federal regional staff", "The federal Region VII director and Missouri representatives."),
            ("F", "Contractor employees", "Employees of private companies under contract with Missouri for child support work."),
            ("G", "Retirees", "Retirees of categories A–F."),
        ],
        regions=["Kansas City", "St. Louis", "Northwest", "Northeast", "Central", "Southwest", "Southeast"],
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    agency: str
    job_title: str
    jurisdiction: str  # Jurisdiction code
    association: str  # association slug
    category: str  # eligibility category code
    status: str = Membership.Status.ACTIVE
    roles: tuple[str, ...] = ()
    region: str = ""
    interstate_contact: bool = False
    also: tuple[str, ...] = ()  # other association slugs they are active members of


DEMO_PEOPLE = [
    # Western council
    DemoPerson("dana.whitaker@western.comity.test", "Dana Whitaker", "Oregon Division of Child Support", "Program manager", "OR", "western", "STATE", roles=(Role.ADMIN,), interstate_contact=True),
    DemoPerson("luis.ortega@western.comity.test", "Luis Ortega", "Washington Division of Child Support", "Communications lead", "WA", "western", "STATE", roles=(Role.EDITOR,)),
    DemoPerson("grace.yazzie@western.comity.test", "Grace Yazzie", "Navajo Nation Child Support Enforcement Program", "Supervisor", "tribe-navajo-nation", "western", "TRIBE", roles=(Role.MODERATOR,), interstate_contact=True),
    DemoPerson("mark.henley@western.comity.test", "Mark Henley", "Alaska Child Support Services Division", "IV-D director", "AK", "western", "STATE", roles=(Role.BOARD,)),
    DemoPerson("priya.natarajan@western.comity.test", "Priya Natarajan", "California Department of Child Support Services", "Child support specialist", "CA", "western", "STATE", interstate_contact=True),
    DemoPerson("tom.brennan@western.comity.test", "Tom Brennan", "Idaho Child Support Services", "Agency attorney", "ID", "western", "STATE"),
    DemoPerson("keoni.kahale@western.comity.test", "Keoni Kahale", "Hawaii Child Support Enforcement Agency", "Caseworker", "HI", "western", "STATE"),
    DemoPerson("rosa.delgado@western.comity.test", "Rosa Delgado", "Arizona Division of Child Support Services", "Enforcement officer", "AZ", "western", "STATE", interstate_contact=True),
    DemoPerson("sam.jackson@western.comity.test", "Sam Jackson", "Central Council Tlingit & Haida Tribal Child Support Unit", "Case manager", "tribe-tlingit-haida", "western", "TRIBE"),
    # Missouri association
    DemoPerson("beth.carver@missouri.comity.test", "Beth Carver", "Missouri Family Support Division", "Regional manager", "MO", "missouri", "D", roles=(Role.ADMIN,), region="Kansas City", also=("western",)),
    DemoPerson("jerome.price@missouri.comity.test", "Jerome Price", "Greene County Circuit Clerk's Office", "Deputy circuit clerk", "MO", "missouri", "A", roles=(Role.EDITOR,), region="Southwest"),
    DemoPerson("anita.shah@missouri.comity.test", "Anita Shah", "Jackson County Prosecuting Attorney's Office", "Assistant prosecuting attorney", "MO", "missouri", "B", roles=(Role.MODERATOR,), region="Kansas City"),
    DemoPerson("carla.ruiz@missouri.comity.test", "Carla Ruiz", "22nd Judicial Circuit (St. Louis City)", "Family court commissioner", "MO", "missouri", "C", roles=(Role.BOARD,), region="St. Louis"),
    DemoPerson("kevin.omalley@missouri.comity.test", "Kevin O'Malley", "Missouri Family Support Division", "Child support caseworker", "MO", "missouri", "D", region="Central", interstate_contact=True),
    DemoPerson("denise.fowler@missouri.comity.test", "Denise Fowler", "Show-Me Case Services (state contractor)", "Customer service lead", "MO", "missouri", "F", region="Southeast"),
    # Pending applications
    DemoPerson("nora.fields@western.comity.test", "Nora Fields", "Nevada Division of Welfare and Supportive Services", "Interstate caseworker", "NV", "western", "STATE", status=Membership.Status.APPLIED),
    DemoPerson("lena.park@western.comity.test", "Lena Park", "Utah Office of Recovery Services", "Paralegal", "UT", "western", "STATE", status=Membership.Status.APPLIED),
    DemoPerson("walter.greene@missouri.comity.test", "Walter Greene", "Boone County Circuit Clerk's Office", "Court administrator", "MO", "missouri", "A", status=Membership.Status.APPLIED, region="Central"),
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
        for position, (code, name, description) in enumerate(demo.categories):
            EligibilityCategory.objects.update_or_create(
                association=association, code=code,
                defaults={"name": name, "description": description, "position": position},
            )
        for position, region_name in enumerate(demo.regions):
            Region.objects.update_or_create(
                association=association, slug=region_name.lower().replace(" ", "-").replace(".", ""),
                defaults={"name": region_name, "position": position},
            )
        associations.append(association)
    return associations


@cache
def demo_password_hash() -> str:
    # Hashing is deliberately slow; the demo accounts share one hash of the demo password.
    return make_password(DEMO_PASSWORD)


def verified_user(email: str, name: str, **extra) -> User:
    """A demo account that can sign in at once (its email counts as verified)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _, last = name.partition(" ")
        user = User(username=email.split("@")[0], email=email, display_name=name, first_name=first, last_name=last, **extra)
        user.password = demo_password_hash()
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_admin() -> User:
    admin = verified_user("admin@comity.test", "Comity administrator")
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return admin


def ensure_reference_jurisdictions() -> None:
    """The jurisdictions come from a data migration; put them back if a database was
    flushed since (transactional tests do that), using the migration's own data."""
    import importlib

    if Jurisdiction.objects.filter(code="MO").exists():
        return

    migration = importlib.import_module("members.migrations.0004_load_jurisdictions")
    for kind, rows in migration.JURISDICTIONS:
        for code, name, west, region in rows:
            Jurisdiction.objects.update_or_create(
                code=code, defaults={"kind": kind, "name": name, "west_of_mississippi": west, "hhs_region": region}
            )


def seed_people(admin: User) -> None:
    ensure_reference_jurisdictions()
    for association in Association.objects.all():
        services.ensure_role_groups(association)
    for person in DEMO_PEOPLE:
        user = verified_user(person.email, person.name)
        jurisdiction = Jurisdiction.objects.get(code=person.jurisdiction)
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "agency": person.agency, "job_title": person.job_title, "jurisdiction": jurisdiction,
                "is_interstate_contact": person.interstate_contact,
                "work_email": person.email if person.interstate_contact else "",
                "work_phone": "555-0100" if person.interstate_contact else "",
                "case_types": ["enforcement", "income-withholding"] if person.interstate_contact else [],
            },
        )
        for slug in (person.association, *person.also):
            association = Association.objects.get(slug=slug)
            if Membership.objects.filter(user=user, association=association).exists():
                continue
            category = association.eligibility_categories.filter(code=person.category).first() or association.eligibility_categories.first()
            region = association.regions.filter(name=person.region).first() if person.region else None
            membership = services.apply_for_membership(
                user, association, eligibility_category=category, agency=person.agency,
                jurisdiction=jurisdiction, job_title=person.job_title, region=region,
                statement="Demo member.",
            )
            if person.status == Membership.Status.ACTIVE:
                services.approve_membership(membership, by=admin, reason="Eligibility confirmed (demo).")
                if slug == person.association:
                    for role in person.roles:
                        services.assign_role(membership, role, by=admin)


def demo_logins() -> list[tuple[str, str, str]]:
    """(what the account is for, email, password) for the README and `make run`."""
    return [
        ("Site administrator (Wagtail and Django admin)", "admin@comity.test", DEMO_PASSWORD),
        ("WICSEC association admin", "dana.whitaker@western.comity.test", DEMO_PASSWORD),
        ("MCSEA association admin", "beth.carver@missouri.comity.test", DEMO_PASSWORD),
        ("MCSEA editor", "jerome.price@missouri.comity.test", DEMO_PASSWORD),
        ("WICSEC moderator", "grace.yazzie@western.comity.test", DEMO_PASSWORD),
        ("WICSEC member", "priya.natarajan@western.comity.test", DEMO_PASSWORD),
        ("Applicant waiting for WICSEC", "nora.fields@western.comity.test", DEMO_PASSWORD),
    ]
