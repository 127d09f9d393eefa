"""The indexing outbox through a real Elasticsearch outage (real engines only).

The test runs its own Elasticsearch node (tests/service_control.py; the shared one keeps
serving other runs), builds the index there, and stops the node for real: process gone,
port closed. Forum writes made meanwhile, through the site's views and services, commit;
the drain each commit triggers finds the engine down and leaves the outbox rows with the
attempt and the error recorded; searching says the engine is unavailable. Then the node
starts again, the outbox drains, and the index holds exactly what the content says: the
new and edited documents, and nothing hidden or deleted.
"""

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from forum.models import Post, Topic, Visibility
from search.backends import SearchUnavailable, get_search_backend
from search.documents import DOCUMENT_SOURCES
from search.models import IndexOutboxEntry
from search.query import SearchQuery
from tests.forum.factories import make_reply, make_topic
from tests.search.test_sources import forum  # noqa: F401 (fixture)
from tests.service_control import PrivateElasticsearch, port_open
from tests.pages import form_token

# Writes really commit: each commit's on-commit hook runs the drain (the immediate task
# backend), as a worker would right after it.
# Starting Elasticsearch twice takes 10-40 s on a busy machine: more than the default timeout
# leaves once the test database has been created in this test's setup.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def private_elasticsearch(real_engines):
    """An Elasticsearch node of this test's own, on free ports; stopped and removed after."""
    with PrivateElasticsearch(heap="256m") as node:
        yield node


def expected_ids() -> set[str]:
    """Every document the sources would index now (what the index must hold)."""
    return {document["id"] for source in DOCUMENT_SOURCES for document in source()}


def indexed_ids(backend) -> set[str]:
    backend.client.indices.refresh(index=backend.alias)
    return backend.document_ids()


def assert_waiting(document_ids, attempts: int = 1) -> None:
    """These documents wait in the outbox, and the drain after the commit met the outage."""
    rows = {row.document_id: row for row in IndexOutboxEntry.objects.filter(document_id__in=document_ids)}
    assert set(rows) == set(document_ids)
    for row in rows.values():
        assert row.attempts >= attempts, (row.document_id, row.attempts)
        assert "could not" in row.last_error, (row.document_id, row.last_error)


def found(backend, text: str, audience: frozenset[str]) -> set[str]:
    results = backend.search(SearchQuery(text=text, audience=audience, per_page=50))
    return {hit.id for hit in results.hits}


def test_writes_commit_while_elasticsearch_is_stopped_and_the_outbox_drains_when_it_is_back(
    forum, private_elasticsearch, settings, client  # noqa: F811
):
    settings.COMITY_SEARCH = {
        **django_settings.COMITY_SEARCH, "BACKEND": "elasticsearch", "URL": private_elasticsearch.url, "TIMEOUT": 2,
    }
    # The drain runs right after each commit, as a worker would, and so meets the outage.
    settings.TASKS = IMMEDIATE_TASKS
    backend = get_search_backend()
    assert backend.url == private_elasticsearch.url

    # --- Content, indexed while the engine is up ---------------------------------------------
    members = frozenset(forum.categories.members.audience_ids)
    kept = make_topic(forum.asker, forum.categories.members, title="Registering a Canadian support order")
    kept_reply = make_reply(forum.answerer, kept, body="File the certified copy with the registering tribunal.")
    to_edit = make_reply(forum.answerer, kept, body="Ask the central registry about the original wording.")
    to_hide = make_reply(forum.answerer, kept, body="The obligor's case number is in the attached petition.")
    doomed = make_topic(forum.asker, forum.categories.members, title="Withholding orders for seasonal employers")
    doomed_reply = make_reply(forum.answerer, doomed, body="Send the withholding notice to the seasonal payroll.")
    call_command("search_index", "--rebuild", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    before = indexed_ids(backend)
    assert before == expected_ids()
    assert {f"topic:{kept.pk}", f"post:{to_hide.pk}", f"topic:{doomed.pk}", f"post:{doomed_reply.pk}"} <= before
    assert IndexOutboxEntry.objects.count() == 0

    # --- The engine stops, for real ----------------------------------------------------------------
    private_elasticsearch.stop()
    assert not port_open(private_elasticsearch.port)
    with pytest.raises(SearchUnavailable):
        backend.health()

    # Create a topic through the new-topic form.
    client.force_login(forum.asker)
    new_topic_url = reverse("forum:new_topic", args=[forum.categories.members.slug])
    response = client.post(new_topic_url, {
        "submission_token": form_token(client, new_topic_url), "kind": "question",
        "title": "Garnishing wages of a federal contractor",
        "body": "Which agency answers an income withholding order?",
        "tags": "garnishment",
    })
    assert response.status_code == 302
    created = Topic.objects.get(title="Garnishing wages of a federal contractor")
    assert_waiting([f"topic:{created.pk}"])

    # Reply to it through the reply form.
    topic_url = reverse("forum:topic", args=[created.pk])
    client.force_login(forum.answerer)
    response = client.post(reverse("forum:reply", args=[created.pk]), {
        "submission_token": form_token(client, topic_url), "body": "The payroll office of the contracting agency.",
    })
    assert response.status_code == 302
    created_reply = created.posts.get(position=2)
    assert_waiting([f"topic:{created.pk}", f"post:{created_reply.pk}"])

    # Edit a reply through the edit form.
    response = client.post(
        reverse("forum:edit_post", args=[to_edit.pk]), {"body": "Ask the central registry for the apostille."}
    )
    assert response.status_code == 302
    to_edit.refresh_from_db()
    assert "apostille" in to_edit.body
    assert_waiting([f"post:{to_edit.pk}"])
    assert_waiting([f"post:{created_reply.pk}"], attempts=2)  # drained again, and failed again

    # Hide a reply through the moderation form.
    client.force_login(forum.moderator)
    response = client.post(
        reverse("forum:moderate_post", args=[to_hide.pk]), {"action": "hide", "reason": "Case details."}
    )
    assert response.status_code == 302
    to_hide.refresh_from_db()
    assert to_hide.status == Visibility.HIDDEN
    assert_waiting([f"post:{to_hide.pk}"])

    # Delete a topic (with its reply), as the admin does.
    Topic.objects.get(pk=doomed.pk).delete()
    assert not Topic.objects.filter(pk=doomed.pk).exists()
    assert not Post.objects.filter(pk=doomed_reply.pk).exists()
    assert_waiting([f"topic:{doomed.pk}", f"post:{doomed_reply.pk}"])

    # Every write committed; the index work waits in the outbox, with the failure recorded.
    waiting = {row.document_id: row for row in IndexOutboxEntry.objects.all()}
    assert {
        f"topic:{created.pk}", f"post:{created_reply.pk}", f"post:{to_edit.pk}", f"post:{to_hide.pk}",
        f"topic:{doomed.pk}", f"post:{doomed_reply.pk}",
    } <= set(waiting)
    assert waiting[f"topic:{doomed.pk}"].action == IndexOutboxEntry.Action.DELETE
    assert waiting[f"post:{doomed_reply.pk}"].action == IndexOutboxEntry.Action.DELETE
    # The reply's row met the engine down at every drain since (reply, edit, hide, delete).
    assert waiting[f"post:{created_reply.pk}"].attempts >= 4

    # Searching says the engine is unavailable (the page: a notice, never a 500 or the
    # engine's error); a drain by hand keeps the rows.
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(text="garnishing", audience=members))
    with pytest.raises(SearchUnavailable):
        backend.suggest("garnish", audience=members)
    client.force_login(forum.asker)
    response = client.get(reverse("search:results"), {"q": "garnishing"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "Search is temporarily unavailable" in html
    assert "Connection" not in html and str(private_elasticsearch.port) not in html
    response = client.get(reverse("search:suggest"), {"q": "garnish"})
    assert response.status_code == 200  # no suggestions, no error
    with pytest.raises(CommandError, match="search is unavailable"):
        call_command("search_index", "--drain", stdout=io.StringIO())
    assert set(IndexOutboxEntry.objects.values_list("document_id", flat=True)) == set(waiting)

    # --- The engine comes back, and the outbox drains --------------------------------------------
    private_elasticsearch.start()
    backend.health()
    output = io.StringIO()
    call_command("search_index", "--drain", stdout=output)
    assert IndexOutboxEntry.objects.count() == 0, output.getvalue()

    now_indexed = indexed_ids(backend)
    assert now_indexed == expected_ids()
    assert {
        f"topic:{created.pk}", f"post:{created_reply.pk}", f"post:{to_edit.pk}", f"post:{kept_reply.pk}",
    } <= now_indexed
    assert not {f"post:{to_hide.pk}", f"topic:{doomed.pk}", f"post:{doomed_reply.pk}"} & now_indexed
    # New and edited text is searchable; hidden and deleted text is not.
    assert found(backend, "garnishing federal contractor", members) == {
        f"topic:{created.pk}", f"post:{created_reply.pk}",
    }
    assert found(backend, "apostille", members) == {f"post:{to_edit.pk}"}
    assert found(backend, "original wording", members) == set()
    assert found(backend, "attached petition", members) == set()
    assert found(backend, "seasonal", members) == set()
    response = client.get(reverse("search:results"), {"q": "apostille"})
    assert response.status_code == 200 and "apostille" in response.content.decode()
    response = client.get(reverse("search:results"), {"q": "petition"})
    assert response.status_code == 200 and "case number" not in response.content.decode()
