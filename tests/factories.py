"""factory_boy factories shared by every test module."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from members.models import Association, User

TEST_PASSWORD = "correct-horse-battery-staple"


@cache
def test_password_hash() -> str:
    # Hashing is deliberately slow; hash once per run, not once per user.
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@agency.example")
    display_name = factory.Faker("name")
    password = factory.LazyFunction(test_password_hash)


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Child Support Association {n}")
    short_name = factory.Sequence(lambda n: f"CSA{n}")
    slug = factory.Sequence(lambda n: f"association-{n}")
    contact_email = factory.LazyAttribute(lambda association: f"office@{association.slug}.example")


class JurisdictionFactory(factory.django.DjangoModelFactory):
    """Jurisdictions come from a data migration; by default this reuses Missouri's row."""

    class Meta:
        model = "members.Jurisdiction"
        django_get_or_create = ("code",)

    code = "MO"
    kind = "state"
    name = factory.LazyAttribute(lambda jurisdiction: f"Jurisdiction {jurisdiction.code}")


class EligibilityCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.EligibilityCategory"

    association = factory.SubFactory(AssociationFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Eligibility category {n}")


def association_with_groups(**kwargs) -> Association:
    """An association with its role groups, as seed_demo and admins set it up."""
    from members.services import ensure_role_groups

    association = AssociationFactory(**kwargs)
    ensure_role_groups(association)
    return association


def staff_decider() -> User:
    """A superuser who decides applications in tests (so the member under test is never
    deciding their own)."""
    return UserFactory(username=f"decider-{User.objects.count()}", is_staff=True, is_superuser=True)


def member_of(association: Association, *roles: str, status: str = "active", user: User | None = None) -> User:
    """A user whose membership of `association` went through the real services: applied,
    then approved (and lapsed or rejected if asked), then given `roles`."""
    from members import services

    user = user or UserFactory()
    category = association.eligibility_categories.first() or EligibilityCategoryFactory(association=association)
    membership = services.apply_for_membership(
        user, association, eligibility_category=category, agency="Division of Child Support",
        jurisdiction=JurisdictionFactory(), job_title="Caseworker",
    )
    if status == "applied":
        return user
    decider = staff_decider()
    if status == "rejected":
        services.reject_membership(membership, by=decider, reason="Not eligible.")
        return user
    services.approve_membership(membership, by=decider)
    for role in roles:
        services.assign_role(membership, role, by=decider)
    if status == "lapsed":
        services.lapse_membership(membership, by=decider, reason="Dues unpaid.")
    return user


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership row written directly (active by default), for tests that need many
    members quickly; `member_of` goes through the real application services instead."""

    class Meta:
        model = "members.Membership"

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(AssociationFactory)
    status = "active"
    eligibility_category = factory.LazyAttribute(
        lambda membership: membership.association.eligibility_categories.first()
        or EligibilityCategoryFactory(association=membership.association)
    )
    agency = "Division of Child Support"
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    job_title = "Caseworker"


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Profile"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    agency = "Division of Child Support"
    job_title = "Caseworker"
