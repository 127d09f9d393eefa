"""Members-only documents: a document in the association's members-only collection (linked
from a members-only page) is served to its members and to nobody else."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from cms import services
from members.services import association_collection

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

MINUTES = b"%PDF-1.4\n% Board minutes, October 2026: quorum confirmed.\n"


def make_document(collection, title="Board minutes, October 2026", filename="board-minutes.pdf"):
    document = get_document_model()(title=title, collection=collection)
    document.file.save(filename, ContentFile(MINUTES), save=False)
    document.save()
    return document


@pytest.fixture
def members_only_document(media_root, western):
    return make_document(services.ensure_members_only_collection(western.association))


def test_the_members_only_collection_is_restricted_to_the_members_group(western):
    from members.models import Role, RoleGroup

    collection = services.ensure_members_only_collection(western.association)
    assert collection.get_parent() == association_collection(western.association)
    [restriction] = collection.get_view_restrictions()
    assert list(restriction.groups.all()) == [RoleGroup.objects.get(association=western.association, role=Role.MEMBER).group]
    assert services.ensure_members_only_collection(western.association) == collection  # idempotent
    assert collection.get_view_restrictions().count() == 1


def test_a_member_gets_the_document(client, members_only_document, people):
    client.force_login(people.western_member)
    response = client.get(members_only_document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINUTES


def test_a_signed_in_non_member_is_refused(client, members_only_document, people):
    for user in (people.outsider, people.missouri_editor):
        client.force_login(user)
        response = client.get(members_only_document.url)
        assert response.status_code == 403
        assert b"quorum" not in response.content


def test_a_signed_out_visitor_is_sent_to_sign_in(client, members_only_document):
    response = client.get(members_only_document.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_lapsed_member_loses_the_document_at_once(client, members_only_document, western):
    from tests.factories import member_of

    lapsed = member_of(western.association, status="lapsed")
    client.force_login(lapsed)
    assert client.get(members_only_document.url).status_code == 403


def test_documents_in_the_associations_own_collection_stay_public(client, media_root, western):
    document = make_document(association_collection(western.association), title="Bylaws", filename="bylaws.pdf")
    assert client.get(document.url).status_code == 200
