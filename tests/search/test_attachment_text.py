"""Search finds words that appear only inside attached files, for exactly the audience of the
post they are attached to, on each backend; quarantined files' words are found by nobody until
a moderator clears them; sources stay bulk."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import moderation
from forum.attachments import attach_files
from forum.models import Attachment, Category
from forum.tasks import run_extraction
from members.models import Role
from search import sources
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum import document_files as files
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.search.conftest import index_now
from tests.search.test_search_page import search, titles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def attach(post, user, name, content) -> Attachment:
    (attachment,) = attach_files(post, [files.upload(name, content)], by=user)
    run_extraction(attachment.pk)
    attachment.refresh_from_db()
    return attachment


@pytest.fixture
def world(page_backend):
    west = association_with_groups(short_name="WEST", slug="western-attach", name="Western attachments council")
    people = SimpleNamespace(member=member_of(west), moderator=member_of(west, Role.MODERATOR), outsider=UserFactory())
    members_room = CategoryFactory(association=west, visibility=Category.Visibility.MEMBERS, slug="members-files",
                                   name="Members files")
    public = CategoryFactory(association=west, visibility=Category.Visibility.PUBLIC, slug="public-files",
                             name="Public files")
    procedure = make_topic(people.member, members_room, kind="procedure", title="Members intake procedure",
                           body="The procedure document is attached.")
    attach(procedure.posts.get(position=1), people.member, "intake.pdf",
           files.pdf(["Step one: the zyzzogeton checklist", "Step two: file it"]))
    question = make_topic(people.member, public, title="Public registration question", body="See my reply.")
    reply = make_reply(people.member, question, body="The form is attached.")
    attach(reply, people.member, "form.docx", files.docx_file("Complete the quillwort form in duplicate."))
    quarantined = attach(reply, people.member, "case.txt",
                         f"Marmalade notes. {files.CASE_DATA}".encode())
    assert quarantined.review_status == "quarantined"
    index_now(page_backend)
    return SimpleNamespace(people=people, procedure=procedure, question=question, reply=reply,
                           quarantined=quarantined, backend=page_backend)


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", set()),
    ("outsider", set()),
    ("member", {"Members intake procedure"}),
])
def test_a_word_only_inside_an_attached_pdf_is_found_by_who_may_see_the_post(client, world, who, expected):
    user = None if who == "anonymous" else getattr(world.people, who)
    response = search(client, user, q="zyzzogeton")
    assert titles(response) == expected
    if not expected:
        html = response.content.decode()
        assert "Members intake procedure" not in html and "checklist" not in html


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member"])
def test_a_reply_is_found_by_its_attachments_text_for_its_public_audience(client, world, who):
    user = None if who == "anonymous" else getattr(world.people, who)
    assert titles(search(client, user, q="quillwort", kind="post")) == {"Public registration question"}


def test_a_quarantined_files_words_are_found_by_nobody_until_cleared(client, world):
    for user in (None, world.people.member, world.people.moderator):
        assert titles(search(client, user, q="marmalade")) == set()
    moderation.clear_attachment(world.people.moderator, world.quarantined, "Synthetic sample data.")
    index_now(world.backend)
    assert titles(search(client, None, q="marmalade")) == {"Public registration question"}


def test_a_removed_files_words_leave_the_index(client, world):
    attachment = Attachment.objects.get(original_name="form.docx")
    Attachment.objects.filter(pk=attachment.pk).update(review_status="quarantined")
    moderation.remove_attachment(world.people.moderator, attachment, "Real case data after all.")
    index_now(world.backend)
    assert titles(search(client, world.people.member, q="quillwort")) == set()


@pytest.mark.smoke
def test_attachment_text_costs_no_query_per_post(db, tmp_path):
    association = association_with_groups()
    member = member_of(association)
    category = CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS)

    def queries_for(count: int) -> int:
        topics = [make_topic(member, category, title=f"Topic {count} number {n}") for n in range(count)]
        replies = [make_reply(member, topic) for topic in topics]
        for post in [*replies, *(topic.posts.get(position=1) for topic in topics)]:
            attach(post, member, "notes.txt", f"Attached words for post {post.pk}".encode())
        ids = [f"topic:{topic.pk}" for topic in topics] + [f"post:{reply.pk}" for reply in replies]
        with CaptureQueriesContext(connection) as queries:
            documents = sources.documents_for(ids)
        assert all("Attached words for post" in documents[document_id]["body"] for document_id in ids)
        return len(queries)

    assert queries_for(2) == queries_for(6)
