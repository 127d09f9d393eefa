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
