"""Who gets what, over the whole forum: people in every role × a category of every
visibility × the four ways in (the category listing, a topic page, an attachment download
and the category's feed). Each cell is 200 or 404; never a 403, which would say that
something exists. The expected table is written out by hand, not derived from the code.

The data is built once for the module, in a transaction rolled back at the end; each test
runs in a savepoint inside it (pytest-django's usual per-test rollback). One test client
serves the module: a new one loads the middleware again, which costs more than a cell."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from forum.attachments import attach_files
from forum.feeds import feed_token_for
from forum.models import Attachment, Category
from members.models import Role, RoleGroup
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, checked, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

VISIBILITIES = ["public", "signed-in", "members", "commons members", "board group"]
SURFACES = ["listing", "topic", "attachment", "feed"]

# What each person may see. The feed is the public feed for a visitor and the person's
# private (token) feed for everyone signed in; it shows exactly what the listing shows.
SEES = {
    "anonymous": {"public"},
    "signed-in non-member": {"public", "signed-in"},
    "member": {"public", "signed-in", "members", "commons members"},
    "member of another association": {"public", "signed-in", "commons members"},
    "moderator": {"public", "signed-in", "members", "commons members"},
    "moderator of another association": {"public", "signed-in", "commons members"},
    "board member": {"public", "signed-in", "members", "commons members", "board group"},
    "association admin": {"public", "signed-in", "members", "commons members"},
    "superuser": set(VISIBILITIES),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    storage = FileSystemStorage(location=tmp_path_factory.mktemp("private"))
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        patch.setattr(Attachment._meta.get_field("file"), "storage", storage)
        home = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
        other = association_with_groups(name="Missouri Association", short_name="MCSEA", slug="mcsea")
        board = RoleGroup.objects.get(association=home, role=Role.BOARD).group
        categories = {
            "public": CategoryFactory(association=home, visibility=Category.Visibility.PUBLIC),
            "signed-in": CategoryFactory(association=home, visibility=Category.Visibility.SIGNED_IN),
            "members": CategoryFactory(association=home, visibility=Category.Visibility.MEMBERS),
            "commons members": CategoryFactory(association=None, visibility=Category.Visibility.MEMBERS),
            "board group": CategoryFactory(association=home, visibility=Category.Visibility.GROUP, group=board),
        }
        people = {
            "anonymous": None,
            "signed-in non-member": UserFactory(),
            "member": member_of(home),
            "member of another association": member_of(other),
            "moderator": member_of(home, Role.MODERATOR),
            "moderator of another association": member_of(other, Role.MODERATOR),
            "board member": member_of(home, Role.BOARD),
            "association admin": member_of(home, Role.ADMIN),
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        }
        author = UserFactory(is_superuser=True)
        urls = {}
        for visibility, category in categories.items():
            topic = make_topic(author, category, kind="procedure", title=f"Steps for the {visibility} category")
            (attachment,) = attach_files(
                topic.posts.get(position=1), [SimpleUploadedFile("Steps.txt", b"Step one: register the order.")], by=author
            )
            checked(attachment)
            urls[visibility] = {
                "listing": category.get_absolute_url(),
                "topic": topic.get_absolute_url(),
                "attachment": reverse("forum:attachment", args=[attachment.pk]),
                "feed": ("category", category.slug),
            }
        tokens = {name: feed_token_for(user).token for name, user in people.items() if user is not None}
        yield {"people": people, "urls": urls, "tokens": tokens}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_client():
    return Client()


@pytest.fixture
def client_as(module_client):
    def sign_in(user):
        module_client.logout()
        if user is not None:
            module_client.force_login(user)
        return module_client

    return sign_in


def feed_url(world, person: str, kind: str, key: str) -> str:
    if person == "anonymous":
        return reverse("forum:feed", args=[kind, key, "rss"])
    return reverse("forum:private_feed", args=[world["tokens"][person], kind, key, "rss"])


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("person", list(SEES))
def test_permission_matrix(client_as, world, person, visibility, surface):
    client = client_as(world["people"][person])
    url = world["urls"][visibility][surface]
    if surface == "feed":
        url = feed_url(world, person, *url)
    response = client.get(url)
    expected = 200 if visibility in SEES[person] else 404
    assert response.status_code == expected, (person, visibility, surface, url)
    if surface == "attachment" and expected == 200:
        assert b"".join(response.streaming_content) == b"Step one: register the order."


@pytest.mark.parametrize("visibility", [visibility for visibility in VISIBILITIES if visibility != "public"])
def test_the_public_feed_of_a_private_category_is_a_404_even_for_a_superuser(client_as, world, visibility):
    client = client_as(world["people"]["superuser"])
    assert client.get(feed_url(world, "anonymous", *world["urls"][visibility]["feed"])).status_code == 404

