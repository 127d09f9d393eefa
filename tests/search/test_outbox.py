"""The indexing outbox: rows written in the same transaction as each kind of change (and
gone when it rolls back), one drain enqueued per commit, and the drain task: bulk builds,
deletes for what is no longer visible, fan-out rows, rows kept while the engine is down and
drained by a later run, against a recording backend and against the configured backend
(the database backend in the embedded run, Elasticsearch in the real one)."""

import socket
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from wagtail.models import Page, PageViewRestriction

from forum import moderation, services
from forum.models import Category
from members.models import Jurisdiction
from search import outbox, tasks
from search.backends import SearchUnavailable, get_search_backend
from search.backends.base import IndexingFailed
from search.models import IndexOutboxEntry
from tests.factories import association_with_groups
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.search.test_sources import forum, make_article, make_issue, restrict, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def rows() -> dict[str, str]:
    return dict(IndexOutboxEntry.objects.values_list("document_id", "action"))


def clear() -> None:
    IndexOutboxEntry.objects.all().delete()


# --- queue_index / queue_delete ----------------------------------------------------------------


def test_one_row_per_document_and_the_latest_change_wins(db):
    outbox.queue_index(["topic:1", "topic:1", "post:2"])
    assert rows() == {"topic:1": "index", "post:2": "index"}
    IndexOutboxEntry.objects.filter(document_id="topic:1").update(attempts=3, last_error="down")
    outbox.queue_delete(["topic:1"])
    row = IndexOutboxEntry.objects.get(document_id="topic:1")
    assert (row.action, row.attempts, row.last_error) == ("delete", 0, "")
    assert IndexOutboxEntry.objects.count() == 2
    assert outbox.queue_index([]) == 0


def test_a_rolled_back_write_leaves_no_outbox_row(forum):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_topic(forum.asker, forum.categories.members, title="Written, then rolled back")
        assert rows()
        raise RuntimeError("the request failed after the write")
    assert rows() == {}


def test_a_rolled_back_page_publish_leaves_no_outbox_row(site):
    issue = make_issue(site)
    clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_article(issue, title="Published then rolled back")
        assert rows()
        raise RuntimeError
    assert rows() == {}


def test_one_drain_is_enqueued_after_commit(forum, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        topic = make_topic(forum.asker, forum.categories.members, tags=["uifsa"])
        make_reply(forum.answerer, topic)
    assert [callback for callback in callbacks if callback is outbox.enqueue_drain] == [outbox.enqueue_drain]


def test_after_commit_the_immediate_backend_drains_at_once(
    forum, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    recording = RecordingBackend()
    monkeypatch.setattr(tasks, "get_search_backend", lambda: recording)
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic(forum.asker, forum.categories.members)
    assert f"topic:{topic.pk}" in recording.indexed
    assert rows() == {}


# --- Forum changes -----------------------------------------------------------------------------------


def test_forum_writes_queue_their_documents(forum):
    topic = make_topic(forum.asker, forum.categories.members, title="Registering a Canadian order", tags=["uifsa"])
    opening = topic.posts.get(position=1)
    assert {f"topic:{topic.pk}", f"post:{opening.pk}", f"thread:{topic.pk}"} <= set(rows())

    clear()
    reply = make_reply(forum.answerer, topic)
    assert rows() == {f"post:{reply.pk}": "index", f"topic:{topic.pk}": "index"}

    clear()
    services.edit_post(forum.answerer, reply, body="An edited answer with the certified copy.")
    assert rows() == {f"post:{reply.pk}": "index", f"topic:{topic.pk}": "index"}

    clear()
    services.edit_post(forum.asker, opening, body="The question, edited.", title="Registering a foreign order")
    assert rows()[f"thread:{topic.pk}"] == "index"  # every post carries the topic's title

    clear()
    services.accept_answer(reply, by=forum.asker)
    assert f"thread:{topic.pk}" in rows()  # posts say whether their question is answered

    clear()
    topic.tags.set(["registration"])
    assert rows() == {f"thread:{topic.pk}": "index"}

    clear()
    topic.jurisdictions.add(Jurisdiction.objects.get(code="MO"))
    assert rows() == {f"thread:{topic.pk}": "index"}


def test_moderation_queues_the_thread(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    reply = make_reply(forum.answerer, topic)
    clear()
    moderation.hide_post(forum.moderator, reply, "Case details.")
    assert {f"post:{reply.pk}", f"thread:{topic.pk}"} <= set(rows())

    clear()
    moderation.move_topic(forum.moderator, topic, forum.categories.commons, "Belongs to everyone.")
    assert rows() == {f"thread:{topic.pk}": "index"}

    clear()
    moderation.pin_topic(forum.moderator, topic, "Useful.")
    moderation.lock_topic(forum.moderator, topic, "Settled.")
    assert rows() == {}  # nothing a document carries


def test_splitting_a_topic_queues_both_threads(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    replies = [make_reply(forum.answerer, topic, body=f"Reply number {n}.") for n in range(3)]
    clear()
    new_topic = moderation.split_topic(
        forum.moderator, topic, replies[1:], "A separate question split off", "Two questions."
    )
    assert {f"thread:{topic.pk}", f"thread:{new_topic.pk}"} <= set(rows())


def test_deletes_queue_deletes(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    reply = make_reply(forum.answerer, topic)
    opening = topic.posts.get(position=1)
    clear()
    reply_id = reply.pk
    reply.delete()
    assert rows() == {f"post:{reply_id}": "delete", f"topic:{topic.pk}": "index"}
    clear()
    topic_id = topic.pk
    topic.delete()
    assert rows() == {f"topic:{topic_id}": "delete", f"post:{opening.pk}": "delete"}


def test_a_category_audience_change_queues_the_category(forum):
    category = forum.categories.members
    clear()
    category.position = 5
    category.description = "Reordered and reworded."
    category.save()
    assert rows() == {}
    category.visibility = Category.Visibility.PUBLIC
    category.save()
    assert rows() == {f"category:{category.pk}": "index"}


def test_a_new_members_group_changes_the_commons_audience(forum):
    clear()
    association_with_groups(short_name="NEW", slug="newcomers")
    assert rows() == {f"category:{forum.categories.commons.pk}": "index"}


def test_renaming_a_person_queues_what_they_wrote(forum):
    clear()
    forum.asker.last_login = None
    forum.asker.save(update_fields=["last_login"])
    assert rows() == {}
    forum.asker.display_name = "Jo Renamed"
    forum.asker.save()
    assert rows() == {f"author:{forum.asker.pk}": "index"}


# --- Wagtail page changes ---------------------------------------------------------------------------------


def test_renaming_or_deleting_a_tag_queues_what_carries_it(forum, site):
    from taggit.models import Tag

    topic = make_topic(forum.asker, forum.categories.members, tags=["e-iwo"])
    article = make_article(make_issue(site), title="Sending e-IWO orders", tags=("e-iwo",))
    tag = Tag.objects.get(slug="e-iwo")
    clear()
    tag.name = "Income withholding"
    tag.save()
    assert rows() == {}  # the name is not what documents carry
    tag.slug = "income-withholding"
    tag.save()
    assert rows() == {f"thread:{topic.pk}": "index", f"subtree:{article.pk}": "index"}
    clear()
    tag.delete()
    assert rows() == {f"thread:{topic.pk}": "index", f"subtree:{article.pk}": "index"}


def test_recoding_or_deleting_a_jurisdiction_queues_what_names_it(forum, site):
    jurisdiction = Jurisdiction.objects.create(kind=Jurisdiction.Kind.TRIBE, code="tribe-test", name="Test Tribe")
    topic = make_topic(forum.asker, forum.categories.members, jurisdictions=[jurisdiction])
    article = make_article(make_issue(site), title="Tribal orders under full faith and credit")
    article.jurisdictions.set([jurisdiction])
    article.save_revision().publish()
    clear()
    jurisdiction.name = "Test Tribal Nation"
    jurisdiction.save()
    assert rows() == {}  # documents carry the code; the name is looked up when shown
    jurisdiction.code = "tribe-test-nation"
    jurisdiction.save()
    assert rows() == {f"thread:{topic.pk}": "index", f"subtree:{article.pk}": "index"}
    clear()
    jurisdiction.delete()
    assert rows() == {f"thread:{topic.pk}": "index", f"subtree:{article.pk}": "index"}


def test_page_writes_queue_their_documents(site):
    issue = make_issue(site)
    assert {f"issue:{issue.pk}": "index", f"subtree:{issue.pk}": "index"}.items() <= rows().items()
    clear()
    article = make_article(issue, title="Publishing queues the article")
    assert rows()[f"article:{article.pk}"] == "index"

    clear()
    article.title = "A draft edit"
    article.save_revision()
    assert rows() == {}  # the live content did not change

    clear()
    article.unpublish()
    assert rows() == {f"article:{article.pk}": "index"}  # the drain finds it not live: a delete

    clear()
    article.delete()
    assert rows() == {f"article:{article.pk}": "delete"}


def test_view_restrictions_queue_the_subtree(site):
    issue = make_issue(site)
    clear()
    restriction = restrict(issue, PageViewRestriction.GROUPS, [site.members_group])
    assert rows() == {f"subtree:{issue.pk}": "index"}
    clear()
    restriction.groups.clear()
    assert rows() == {f"subtree:{issue.pk}": "index"}
    clear()
    restriction.delete()
    assert rows() == {f"subtree:{issue.pk}": "index"}


def test_moving_a_page_queues_its_subtree(site):
    first = make_issue(site, number=1)
    second = make_issue(site, number=2)
    article = make_article(first, title="Moved between issues")
    clear()
    Page.objects.get(pk=article.pk).move(second, pos="last-child")
    assert f"subtree:{article.pk}" in rows()


def test_fan_out_rows_expand_to_documents(forum, site):
    topic = make_topic(forum.asker, forum.categories.members)
    reply = make_reply(forum.answerer, topic)
    opening = topic.posts.get(position=1)
    thread = {f"topic:{topic.pk}", f"post:{opening.pk}", f"post:{reply.pk}"}
    assert set(outbox.expand(f"thread:{topic.pk}")) == thread
    assert set(outbox.expand(f"category:{forum.categories.members.pk}")) == thread
    assert set(outbox.expand(f"author:{forum.answerer.pk}")) == {f"post:{reply.pk}"}
    issue = make_issue(site)
    article = make_article(issue, title="Under the issue")
    assert set(outbox.expand(f"subtree:{issue.pk}")) == {f"issue:{issue.pk}", f"article:{article.pk}"}
    assert set(outbox.expand(f"subtree:{site.home.pk}")) >= {f"issue:{issue.pk}", f"article:{article.pk}"}
    assert outbox.expand("subtree:999999") == [] and outbox.expand("thread:x") == []


# --- The drain, with a recording backend -------------------------------------------------------------


class RecordingBackend:
    name = "recording"

    def __init__(self, *, down=False, rejects=()):
        self.indexed: dict[str, dict] = {}
        self.deleted: list[str] = []
        self.calls = 0
        self.down = down
        self.rejects = set(rejects)

    def index(self, documents, *, refresh=False):
        self.calls += 1
        if self.down:
            raise SearchUnavailable("The search engine could not index documents.")
        documents = list(documents)
        for document in documents:
            if document["id"] not in self.rejects:
                self.indexed[document["id"]] = document
        rejected = [document["id"] for document in documents if document["id"] in self.rejects]
        if rejected:
            raise IndexingFailed("rejected", failed_ids=rejected)
        return len(documents)

    def delete(self, document_ids, *, refresh=False):
        self.calls += 1
        if self.down:
            raise SearchUnavailable("The search engine could not delete documents.")
        self.deleted += list(document_ids)
        return len(self.deleted)


def test_drain_builds_in_bulk_and_deletes_what_is_gone(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    replies = [make_reply(forum.answerer, topic, body=f"Reply {n}.") for n in range(3)]
    moderation.hide_post(forum.moderator, replies[0], "Case details.")
    backend = RecordingBackend()
    report = tasks.drain_outbox(backend=backend)
    assert set(backend.indexed) == {f"topic:{topic.pk}", f"post:{replies[1].pk}", f"post:{replies[2].pk}"}
    assert f"post:{replies[0].pk}" in backend.deleted  # hidden: no document, so a delete
    assert rows() == {}
    # One batch: what the thread fan-out stands for is already in it, so it is not queued again.
    assert report.indexed == 3 and report.batches == 1 and not report.unavailable


def test_drain_works_in_batches_and_within_a_time_budget(forum):
    topic = make_topic(forum.asker, forum.categories.public)
    for n in range(5):
        make_reply(forum.answerer, topic, body=f"Reply {n}.")
    backend = RecordingBackend()
    report = tasks.drain_outbox(backend=backend, batch_size=2, time_budget=0)
    assert report.batches == 1 and report.out_of_time and rows()
    report = tasks.drain_outbox(backend=backend, batch_size=2)
    assert rows() == {} and report.batches > 2


def test_while_the_engine_is_down_rows_stay_and_a_later_drain_takes_them(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    queued = set(rows())
    report = tasks.drain_outbox(backend=RecordingBackend(down=True))
    assert report.unavailable and report.failed
    kept = IndexOutboxEntry.objects.exclude(document_id__startswith="thread:")
    assert {row.attempts for row in kept} == {1}
    assert all("could not" in row.last_error for row in kept)
    assert set(rows()) >= queued - {f"thread:{topic.pk}"}

    backend = RecordingBackend()
    tasks.drain_outbox(backend=backend)
    assert f"topic:{topic.pk}" in backend.indexed and rows() == {}


def test_a_queued_drain_finding_the_engine_down_schedules_one_retry(forum, settings, monkeypatch):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "get_search_backend", lambda: RecordingBackend(down=True))
    make_topic(forum.asker, forum.categories.members)
    first, second = tasks.drain_search_outbox.call(), tasks.drain_search_outbox.call()
    assert first["unavailable"] and second["unavailable"]
    retries = DBTaskResult.objects.filter(task_path="search.tasks.drain_search_outbox")
    assert retries.count() == 1  # one retry per window, however many drains found it down
    assert retries.get().run_after > timezone.now()


def test_rejected_documents_stay_and_the_rest_are_done(forum):
    first = make_topic(forum.asker, forum.categories.public, title="Accepted by the engine")
    second = make_topic(forum.asker, forum.categories.public, title="Rejected by the engine")
    backend = RecordingBackend(rejects={f"topic:{second.pk}"})
    report = tasks.drain_outbox(backend=backend)
    assert f"topic:{first.pk}" in backend.indexed
    assert set(rows()) == {f"topic:{second.pk}"} and report.failed == 1 and not report.unavailable


def test_a_row_that_breaks_the_build_does_not_block_the_others(forum, monkeypatch):
    good = make_topic(forum.asker, forum.categories.public, title="Builds fine, indexed")
    clear()
    outbox.queue_index([f"topic:{good.pk}", "page:1"])
    real_documents_for = tasks.documents_for

    def breaks_on_pages(ids):
        if any(document_id.startswith("page:") for document_id in ids):
            raise ValueError("a bug in a source")
        return real_documents_for(ids)

    monkeypatch.setattr(tasks, "documents_for", breaks_on_pages)
    backend = RecordingBackend()
    report = tasks.drain_outbox(backend=backend, batch_size=1)
    assert f"topic:{good.pk}" in backend.indexed
    assert rows() == {"page:1": "index"} and report.failed == 1
    assert "ValueError: a bug in a source" in IndexOutboxEntry.objects.get().last_error


def test_a_change_during_the_drain_is_not_lost(forum, monkeypatch):
    topic = make_topic(forum.asker, forum.categories.public)
    tasks.drain_outbox(backend=RecordingBackend())

    class ChangesWhileIndexing(RecordingBackend):
        def index(self, documents, *, refresh=False):
            if self.calls == 0:
                # Another write re-queues the topic while its batch is being indexed.
                row = IndexOutboxEntry.objects.get(document_id=f"topic:{topic.pk}")
                row.queued_at += timedelta(seconds=1)
                row.save(update_fields=["queued_at"])
            return super().index(documents)

    outbox.queue_index([f"topic:{topic.pk}"])
    backend = ChangesWhileIndexing()
    report = tasks.drain_outbox(backend=backend)
    # The newer row survived the first batch and was drained by the next one.
    assert rows() == {} and report.batches == 2 and backend.calls == 2


# --- The drain, against the configured backend --------------------------------------------------------


@pytest.fixture
def search_backend(settings):
    """The configured backend, on an empty index of its own (a per-test Elasticsearch
    prefix; the database backend's tables roll back with the test)."""
    if django_settings.COMITY_SEARCH["BACKEND"] == "elasticsearch":
        settings.COMITY_SEARCH = {
            **django_settings.COMITY_SEARCH,
            "INDEX_PREFIX": f"{django_settings.COMITY_SEARCH['INDEX_PREFIX']}-{uuid.uuid4().hex[:8]}",
        }
    backend = get_search_backend()
    yield backend
    if backend.name == "elasticsearch":
        backend.delete_indices_with_prefix()


def indexed_ids(backend) -> set[str]:
    if backend.name == "elasticsearch" and backend.client.indices.exists_alias(name=backend.alias):
        backend.client.indices.refresh(index=backend.alias)
    return backend.document_ids()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_drain_into_the_configured_backend(forum, search_backend):
    topic = make_topic(forum.asker, forum.categories.members, tags=["uifsa"])
    reply = make_reply(forum.answerer, topic)
    tasks.drain_outbox()
    assert {f"topic:{topic.pk}", f"post:{reply.pk}"} <= indexed_ids(search_backend)

    moderation.hide_post(forum.moderator, reply, "Case details.")
    tasks.drain_outbox()
    ids = indexed_ids(search_backend)
    assert f"post:{reply.pk}" not in ids and f"topic:{topic.pk}" in ids
    assert rows() == {}


def test_drain_with_the_engine_down_keeps_rows_for_a_later_drain(forum, search_backend, settings):
    topic = make_topic(forum.asker, forum.categories.members)
    configured = dict(settings.COMITY_SEARCH)
    settings.COMITY_SEARCH = {
        **configured, "BACKEND": "elasticsearch", "URL": f"http://127.0.0.1:{closed_port()}", "TIMEOUT": 2,
    }
    report = tasks.drain_outbox()
    assert report.unavailable
    assert f"topic:{topic.pk}" in rows()
    assert IndexOutboxEntry.objects.get(document_id=f"topic:{topic.pk}").attempts == 1

    settings.COMITY_SEARCH = configured  # the engine is back
    report = tasks.drain_outbox()
    assert not report.unavailable and rows() == {}
    assert f"topic:{topic.pk}" in indexed_ids(search_backend)


def test_the_task_reports_what_it_did(forum, search_backend):
    make_topic(forum.asker, forum.categories.members)
    result = tasks.drain_search_outbox.call()
    assert result["indexed"] >= 1 and result["unavailable"] == ""
