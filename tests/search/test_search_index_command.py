"""manage.py search_index: --rebuild (every source, a progress bar, the outbox paused and
then drained), --check (missing, stale and left-over documents, non-zero exit), --drain."""

import io

import pytest
from django.core.management import CommandError, call_command

from forum import moderation
from forum.models import Topic
from search import outbox, tasks
from search.models import IndexOutboxEntry
from tests.forum.factories import make_reply, make_topic
from tests.search.test_outbox import closed_port, indexed_ids, rows, search_backend  # noqa: F401 (fixture)
from tests.search.test_sources import forum, make_article, make_issue, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def run(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("search_index", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def refreshed(backend):
    if backend.name == "elasticsearch" and backend.client.indices.exists_alias(name=backend.alias):
        backend.client.indices.refresh(index=backend.alias)
    return backend


@pytest.fixture
def content(forum, site):
    topic = make_topic(forum.asker, forum.categories.members, tags=["uifsa"])
    reply = make_reply(forum.answerer, topic)
    article = make_article(make_issue(site), title="Registering a Canadian order")
    return {"topic": topic, "reply": reply, "article": article, "forum": forum}


def test_rebuild_indexes_every_source_with_a_progress_bar(content, search_backend):
    stdout, stderr = run("--rebuild")
    ids = indexed_ids(search_backend)
    assert {f"topic:{content['topic'].pk}", f"post:{content['reply'].pk}", f"article:{content['article'].pk}"} <= ids
    assert f"{search_backend.name}: indexed {len(ids)} documents" in stdout
    assert f"{search_backend.name}: indexing [" in stderr
    assert "(100%)" in stderr and "docs/s" in stderr
    # The rows the writes queued were drained after the swap.
    assert rows() == {}


def test_the_outbox_waits_while_a_rebuild_runs(content, search_backend):
    with outbox.rebuild_marker():
        report = tasks.drain_outbox()
        assert report.paused and rows()
        with pytest.raises(CommandError, match="rebuild is in progress"):
            run("--drain")
    assert not tasks.drain_outbox().paused and rows() == {}


def test_a_dead_rebuilds_marker_stops_pausing(content, search_backend):
    IndexOutboxEntry.objects.create(document_id="rebuild:dead", action="index")
    IndexOutboxEntry.objects.filter(document_id="rebuild:dead").update(
        queued_at=IndexOutboxEntry.objects.get(document_id="rebuild:dead").queued_at - outbox.REBUILD_MARKER_TTL * 2
    )
    assert not tasks.drain_outbox().paused
    assert rows() == {}


def test_check_passes_on_a_fresh_index(content, search_backend):
    run("--rebuild", "--no-progress")
    refreshed(search_backend)
    stdout, _ = run("--check")
    assert "0 missing, 0 stale, 0 left over" in stdout and "the index matches the content" in stdout


def test_check_reports_missing_stale_and_left_over_documents(content, search_backend):
    forum = content["forum"]
    run("--rebuild", "--no-progress")
    # Changes the index has not heard of yet (their outbox rows are dropped):
    unseen = make_topic(forum.asker, forum.categories.members, title="Written after the rebuild")
    Topic.objects.filter(pk=content["topic"].pk).update(title="Retitled without a signal")
    moderation.hide_post(forum.moderator, content["reply"], "Case details.")
    IndexOutboxEntry.objects.all().delete()
    refreshed(search_backend)

    stdout = io.StringIO()
    with pytest.raises(CommandError, match="inconsistent") as raised:
        call_command("search_index", "--check", stdout=stdout)
    assert raised.value.returncode == 1
    output = stdout.getvalue()
    assert f"missing: topic:{unseen.pk}" in output
    assert f"stale: topic:{content['topic'].pk}" in output
    assert f"left over: post:{content['reply'].pk}" in output
    assert "1 missing" in output and "left over" in output and "rebuild (--rebuild)" in str(raised.value)


def test_check_says_when_the_outbox_would_fix_it(content, search_backend):
    run("--rebuild", "--no-progress")
    make_topic(content["forum"].asker, content["forum"].categories.members, title="Queued, not drained yet")
    refreshed(search_backend)
    with pytest.raises(CommandError, match=r"--drain"):
        run("--check")
    run("--drain")
    refreshed(search_backend)
    assert "matches" in run("--check")[0]


def test_drain_processes_the_outbox(content, search_backend):
    stdout, _ = run("--drain")
    assert "indexed" in stdout and rows() == {}
    assert f"topic:{content['topic'].pk}" in indexed_ids(search_backend)


def test_drain_with_the_engine_down_fails_and_keeps_the_rows(content, settings):
    settings.COMITY_SEARCH = {
        **settings.COMITY_SEARCH, "BACKEND": "elasticsearch", "URL": f"http://127.0.0.1:{closed_port()}", "TIMEOUT": 2,
    }
    queued = rows()
    with pytest.raises(CommandError, match="kept for later"):
        run("--drain")
    assert set(rows()) >= {document_id for document_id in queued if not outbox.is_fanout(document_id)}


def test_the_command_needs_one_action(db):
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--rebuild", "--check")
