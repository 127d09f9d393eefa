"""Measure search: full rebuild rate, query latency and the time from a post's commit to
being searchable, on Elasticsearch at 200,000 documents and on the database backend
(PostgreSQL full-text) at 20,000.

    eval "$(scripts/services.sh env)"
    DATABASE_URL=postgres://comity:comity@127.0.0.1:55432/comity_bench_search python -m bench.search \
        [--only elasticsearch|database] [--requests 30] [--commits 10]

PostgreSQL only, on scratch databases of their own: DATABASE_URL must name a database whose
name contains "bench". The Elasticsearch run uses that database, the database-backend run
the same name with "_db" appended (comity_bench_search_db); both are created when missing
(the role needs CREATEDB). Elasticsearch (ELASTICSEARCH_URL) gets its own index prefix,
"bench-search", so test and development indices are never touched.

Each run (a child process with its own DATABASE_URL and engine settings) migrates its
database, loads the demo content (`seed_demo`: associations, people, pages, newsletters,
legislative updates, events and the demo forum), adds benchmark legislative updates and a
40-article newsletter issue as live pages (bench.cms), and fills ten benchmark forum
categories (the interstate commons for members, public and signed-in, two associations'
members-only categories and one board category) with topics and replies written with
bulk_create, until the document sources count exactly the target (BENCH_SEARCH_DOCS, default
200,000; BENCH_SEARCH_DB_DOCS, default 20,000). The seed is written once and reused.

Then, per backend:
- rebuild: `manage.py search_index --rebuild` (the sources read the database, the backend
  fills a new index and swaps it in), timed end to end: documents per second;
- queries: ten representative queries through the search page (GET /search/?q=… with
  django.test.Client in-process, signed in as a member of one association) — median, p95,
  hits and SQL queries per request — and the same queries straight to the backend
  (`backend.search(SearchQuery)`), which also works before the page exists;
- commit to searchable: a real `manage.py db_worker` (django-tasks-db, as `make worker` runs
  it: polling every second) in a subprocess, and replies and topics created through
  forum.services in this process; the time from the service's commit until
  `backend.search` finds the post's unique word, median and max.

DEBUG is off unless DJANGO_DEBUG says otherwise. Progress goes to stderr; stdout gets one
JSON object.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from html import escape
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench import measuring

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

BENCH = "search"
ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {
    "elasticsearch": int(os.environ.get("BENCH_SEARCH_DOCS", 200_000)),
    "database": int(os.environ.get("BENCH_SEARCH_DB_DOCS", 20_000)),
}
DATABASE_SUFFIX = {"elasticsearch": "", "database": "_db"}
INDEX_PREFIX = "bench-search"
VIEWER_EMAIL = "priya.natarajan@western.comity.test"  # a plain member of WICSEC (members.demo)
CATEGORY_PREFIX = "bench-search-"
LIVE_CATEGORY = "bench-search-live"  # where the commit-to-searchable posts go (hidden on the next run)
AUTHOR_PREFIX = "bench-search-author-"
REPLIES_PER_TOPIC = 9  # so topics are a tenth of the forum's documents
YEARS = 5  # topics are spread over the last five years
POLL_SECONDS = 0.02
SEARCHABLE_TIMEOUT = 30.0


def log(message: str) -> None:
    print(f"[bench.search {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    measuring.fail(BENCH, message)


# --- The parent: one child process per backend -------------------------------------------------------


def database_url_for(part: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        measuring.check_scratch_database(BENCH, "comity_bench_search")  # explains and exits
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + DATABASE_SUFFIX[part]))


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it is missing (only ever a name containing "bench")."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        fail(f"refusing to use database {name!r}: use a scratch database named like 'comity_bench_search'")
    server = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                log(f"creating database {name}")
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        fail(f"cannot create database {name!r} ({error}); create it first: CREATE DATABASE {name};")


def run_part(part: str, args) -> dict:
    url = database_url_for(part)
    ensure_database(url)
    env = {
        **os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "DJANGO_DEBUG": os.environ["DJANGO_DEBUG"],
        # The page allows 60 searches a minute per user; the benchmark makes hundreds.
        "SEARCH_RATE": "100000/m",
    }
    if part == "elasticsearch":
        if not env.get("ELASTICSEARCH_URL"):
            fail("set ELASTICSEARCH_URL (eval \"$(scripts/services.sh env)\") for the Elasticsearch run")
        env["ELASTICSEARCH_INDEX_PREFIX"] = INDEX_PREFIX
    else:
        env.pop("ELASTICSEARCH_URL", None)  # the database backend
    command = [sys.executable, "-m", "bench.search", "--part", part,
               "--requests", str(args.requests), "--commits", str(args.commits)]
    log(f"{part}: {DOCUMENTS[part]:,} documents in {urlsplit(url).path.lstrip('/')}")
    completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        fail(f"the {part} run failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(DOCUMENTS), help="run one backend only")
    parser.add_argument("--part", choices=list(DOCUMENTS), help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--requests", type=int, default=30, help="requests per query (default 30)")
    parser.add_argument("--commits", type=int, default=10, help="posts timed from commit to searchable (default 10)")
    args = parser.parse_args()
    if args.part:
        print(json.dumps(run_backend(args.part, args)))
        return
    started = time.perf_counter()
    load_before = os.getloadavg()
    results = {part: run_part(part, args) for part in ([args.only] if args.only else DOCUMENTS)}
    print(json.dumps({
        "benchmark": "search",
        **results,
        "machine": {"cores": os.cpu_count(), "load_before": [round(v, 2) for v in load_before],
                    "load_after": [round(v, 2) for v in os.getloadavg()]},
        "seconds": round(time.perf_counter() - started, 1),
    }))


# --- Seed -------------------------------------------------------------------------------------------

FIRST_NAMES = ["Maria", "James", "Aisha", "Robert", "Linh", "David", "Carmen", "Michael", "Grace", "Joseph",
               "Ana", "Thomas", "Keisha", "Daniel", "Rosa", "William", "Mei", "Charles", "Fatima", "Steven"]
LAST_NAMES = ["Garcia", "Johnson", "Nguyen", "Begay", "Okafor", "Martinez", "Anderson", "Yazzie", "Kowalski",
              "Thompson", "Hernandez", "Lee", "Patel", "Roberts", "Whitehorse"]
TAGS = [
    "uifsa", "controlling-order", "registration", "cej", "long-arm", "direct-withholding", "e-iwo", "nmsn",
    "fidm", "csenet", "quick", "tax-offset", "passport-denial", "license-suspension", "genetic-testing",
    "arrears", "interest", "case-closure", "locate", "hague-2007", "tribal", "modification", "employer",
]
# A sentence added to each post, so words are spread more widely than the demo's 97 texts.
SENTENCES = [
    "We registered the order for enforcement only and the obligor asked for a hearing on the arrears.",
    "The employer in the other state answered the income withholding notice within two weeks.",
    "Our tribunal wants a certified copy of every modification before it will register the order.",
    "The tribal IV-D program sent the case back with a request for a payment history.",
    "Passport denial was released after the lump-sum payment cleared our state disbursement unit.",
    "Genetic testing was scheduled at a clinic near the alleged father's new address.",
    "The hearing officer asked for testimony by telephone under section 316.",
    "We used QUICK to check the payment record before the review and adjustment.",
    "The NMSN went to the plan administrator, who said the plan has no providers near the child.",
    "CSENet transactions stopped, so we sent a status request by letter and logged the date.",
    "License suspension notices went out after the payment agreement was missed twice.",
    "Interest on the arrears follows the law of the issuing state, not ours.",
    "The Hague 2007 application went through the central authority with a translated order.",
    "A controlling order determination is needed because two states issued orders.",
    "The financial institution data match found an account, and the levy was served last month.",
    "Our caseworkers keep a checklist for new interstate cases in the first thirty days.",
    "The obligor is incarcerated for fourteen months, so we started a review on our own motion.",
    "We asked the responding state to modify the order after the child moved there with the custodian.",
    "Tax refund offset certified the past-due amount and the collection was distributed last week.",
    "The locate request found a new employer through the National Directory of New Hires.",
    "Full faith and credit applies to the tribal court order under FFCCSOA.",
    "The case closure notice went out sixty days before closing, as the federal criteria require.",
    "We sent the e-IWO and the employer confirmed the first deduction on the next payroll.",
    "Continuing, exclusive jurisdiction stays with the issuing state while a party lives there.",
]


def bench_categories():
    """(slug suffix, association slug or None, visibility, group role or None, name)."""
    from forum.models import Category

    v = Category.Visibility
    return [
        ("interstate", None, v.MEMBERS, None, "Interstate registration and UIFSA"),
        ("enforcement", None, v.MEMBERS, None, "Enforcement remedies in practice"),
        ("withholding", None, v.MEMBERS, None, "Income withholding casework"),
        ("arrears", None, v.MEMBERS, None, "Arrears, interest and distribution"),
        ("tribal-international", None, v.MEMBERS, None, "Tribal and international cases"),
        ("training", None, v.PUBLIC, None, "Training questions from the field"),
        ("open-questions", None, v.SIGNED_IN, None, "Open questions for anyone signed in"),
        ("western-business", "western", v.MEMBERS, None, "WICSEC committee work"),
        ("western-board", "western", v.GROUP, "board", "WICSEC board drafts"),
        ("missouri-business", "missouri", v.MEMBERS, None, "MCSEA committee work"),
    ]


def seed_categories():
    from forum.models import Category
    from members.models import Association, RoleGroup

    associations = {association.slug: association for association in Association.objects.all()}
    categories = []
    for position, (suffix, association_slug, visibility, role, name) in enumerate(bench_categories()):
        association = associations.get(association_slug) if association_slug else None
        group = RoleGroup.objects.get(association=association, role=role).group if role else None
        categories.append(Category.objects.update_or_create(
            slug=f"{CATEGORY_PREFIX}{suffix}",
            defaults={"name": name, "association": association, "visibility": visibility, "group": group,
                      "position": 300 + position, "hold_first_posts": 0,
                      "description": "Benchmark data for search: practice questions, procedures and discussions."},
        )[0])
    live = Category.objects.update_or_create(
        slug=LIVE_CATEGORY,
        defaults={"name": "Search benchmark: live posts", "association": None,
                  "visibility": Category.Visibility.MEMBERS, "group": None, "position": 399, "hold_first_posts": 0,
                  "description": "Posts written by the commit-to-searchable benchmark."},
    )[0]
    return categories, live


def seed_authors(jurisdictions):
    from django.contrib.auth.hashers import make_password

    from members.models import Profile, User

    names = [(first, last) for last in LAST_NAMES for first in FIRST_NAMES]
    existing = list(User.objects.filter(username__startswith=AUTHOR_PREFIX).order_by("pk"))
    if len(existing) == len(names):
        return existing
    password = make_password(None)  # unusable: these accounts never sign in
    users = User.objects.bulk_create([
        User(username=f"{AUTHOR_PREFIX}{n:03d}", email=f"{AUTHOR_PREFIX}{n:03d}@bench.comity.test",
             first_name=first, last_name=last, display_name=f"{first} {last}", password=password)
        for n, (first, last) in enumerate(names)
    ])
    Profile.objects.bulk_create([
        Profile(user=user, agency="Division of Child Support", job_title="Caseworker",
                jurisdiction=jurisdictions[n % len(jurisdictions)])
        for n, user in enumerate(users)
    ])
    return users


def seed_forum(categories, forum_documents: int) -> None:
    """Topics and replies with bulk_create, so that the forum sources count
    `forum_documents` (a topic's document holds its opening post; each reply has its own).
    This bypasses forum.services on purpose, like bench.forum: no permission checks, events or
    outbox rows per post. Counters, last posts and accepted answers are set afterwards."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from bench.forum import demo_texts
    from forum.models import Post, Topic
    from forum.rendering import render_markdown
    from members.models import Jurisdiction

    titles, bodies = demo_texts()
    rendered = [render_markdown(body) for body in bodies]  # each distinct body once
    kinds = [Topic.Kind.QUESTION, Topic.Kind.QUESTION, Topic.Kind.PROCEDURE, Topic.Kind.DISCUSSION]
    topic_count = max(1, round(forum_documents / (REPLIES_PER_TOPIC + 1)))
    base, extra = divmod(forum_documents - topic_count, topic_count)
    now = timezone.now()
    step = timedelta(days=365 * YEARS) / topic_count
    start = now - timedelta(days=365 * YEARS)

    with transaction.atomic():
        jurisdictions = list(Jurisdiction.objects.filter(kind__in=["state", "tribe", "foreign"]).order_by("code"))
        authors = seed_authors(jurisdictions)
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TAGS]
        topic_type = ContentType.objects.get_for_model(Topic)
        Through = Topic.jurisdictions.through
        for first in range(0, topic_count, 2_000):
            numbers = range(first, min(first + 2_000, topic_count))
            topics = []
            for n in numbers:
                replies = base + (1 if n < extra else 0)
                created = start + step * n
                jurisdiction = jurisdictions[(n * 7) % len(jurisdictions)]
                topics.append(Topic(
                    category=categories[n % len(categories)], kind=kinds[n % len(kinds)],
                    title=f"{titles[n % len(titles)]} ({jurisdiction.name})", author=authors[(n * 11) % len(authors)],
                    created_at=created, last_activity_at=created + timedelta(hours=5 * replies),
                    post_count=replies + 1,
                ))
            Topic.objects.bulk_create(topics, batch_size=1_000)
            posts = []
            for n, topic in zip(numbers, topics, strict=True):
                for position in range(1, topic.post_count + 1):
                    body, sentence = (n * 31 + position) % len(bodies), SENTENCES[(n + position * 5) % len(SENTENCES)]
                    posts.append(Post(
                        topic=topic, author=authors[(n + position * 13) % len(authors)], position=position,
                        body=f"{bodies[body]}\n\n{sentence}", body_html=f"{rendered[body]}<p>{escape(sentence)}</p>",
                        created_at=topic.created_at + timedelta(hours=5 * (position - 1)),
                    ))
            Post.objects.bulk_create(posts, batch_size=2_000)
            TaggedItem.objects.bulk_create([
                TaggedItem(content_type=topic_type, object_id=topic.pk, tag=tags[(n + offset) % len(tags)])
                for n, topic in zip(numbers, topics, strict=True) for offset in (0, 7)
            ], batch_size=5_000)
            Through.objects.bulk_create([
                Through(topic_id=topic.pk, jurisdiction_id=jurisdictions[(n * 7 + offset) % len(jurisdictions)].pk)
                for n, topic in zip(numbers, topics, strict=True) for offset in ((0,) if n % 3 else (0, 11))
            ], batch_size=5_000)
            log(f"  forum: {numbers.stop:,}/{topic_count:,} topics")

        bench_topics = Topic.objects.filter(category__in=categories)
        bench_topics.update(last_post=Subquery(
            Post.objects.filter(topic=OuterRef("pk"), position=OuterRef("post_count")).values("pk")[:1]
        ))
        # Half the practice questions have their first reply accepted.
        questions = list(bench_topics.filter(kind=Topic.Kind.QUESTION).order_by("pk").values_list("pk", flat=True))
        Topic.objects.filter(pk__in=questions[::2]).update(accepted_answer=Subquery(
            Post.objects.filter(topic=OuterRef("pk"), position=2).values("pk")[:1]
        ))


def seed(target: int) -> dict:
    """The demo content, the benchmark pages and the benchmark forum; returns what it did."""
    from django.core.management import call_command
    from django.db import connection

    from bench.cms import seed_issue, seed_updates
    from django_tasks_db.models import DBTaskResult
    from forum.models import Post, Topic, Visibility
    from members.models import Association
    from search.management.commands.search_index import SizedDocuments
    from search.models import IndexOutboxEntry
    from search.documents import DOCUMENT_SOURCES

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent; keeps stdout for the JSON
    missouri = Association.objects.select_related("home_page").get(slug="missouri")
    updates = max(10, target // 400)  # 500 legislative updates at 200,000 documents
    seed_updates(missouri, updates)
    seed_issue(missouri)
    categories, live = seed_categories()
    # An earlier run's live posts leave the count (hidden with a queryset update: no signals,
    # and no cascade through every model that points at a post).
    Topic.objects.filter(category=live).update(status=Visibility.HIDDEN)
    Post.objects.filter(topic__category=live).update(status=Visibility.HIDDEN)

    seeded_topics = Topic.objects.filter(category__in=categories)
    forum_rows = seeded_topics.count()
    if not forum_rows:
        other = SizedDocuments(DOCUMENT_SOURCES).total
        if other >= target:
            fail(f"the demo content alone has {other:,} documents, more than the target {target:,}")
        log(f"seeding the forum: {target - other:,} documents beside {other:,} from the demo and pages")
        seed_forum(categories, target - other)
    total = SizedDocuments(DOCUMENT_SOURCES).total
    if total != target:
        fail(f"the sources count {total:,} documents, not {target:,}: drop and recreate the scratch database "
             f"{connection.settings_dict['NAME']!r}")
    # The seed's own index work (pages saved through Wagtail) is covered by the rebuild.
    IndexOutboxEntry.objects.all().delete()
    DBTaskResult.objects.filter(task_path__endswith="drain_search_outbox", status="READY").delete()
    # Run what the seed queued (Wagtail's search and reference index tasks), so the timed
    # worker later starts with an empty queue.
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--skip-checks", "-v", "0"],
        cwd=ROOT, env=os.environ.copy(), check=True, stdout=subprocess.DEVNULL,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "documents": total,
        "forum_topics": seeded_topics.count(),
        "forum_posts": Post.objects.filter(topic__category__in=categories).count(),
        "legislative_updates_added": updates,
        "newsletter_articles_added": 40,
        "seed_seconds": None if forum_rows else round(time.perf_counter() - started, 1),
    }


# --- Rebuild ----------------------------------------------------------------------------------------


def sources_rate(limit: int = 20_000) -> dict:
    """How fast the document sources alone produce prepared documents (no engine): the
    part of a rebuild that reads the database, over the first `limit` documents."""
    from search.documents import DOCUMENT_SOURCES, prepared_document
    from search.management.commands.search_index import SizedDocuments

    count, started = 0, time.perf_counter()
    for document in SizedDocuments(DOCUMENT_SOURCES):
        prepared_document(document)
        count += 1
        if count >= limit:
            break
    seconds = time.perf_counter() - started
    return {"documents": count, "docs_per_s": round(count / seconds)}


def rebuild() -> dict:
    from django.core.management import call_command

    from search.backends import get_search_backend

    output = io.StringIO()
    started = time.perf_counter()
    call_command("search_index", "--rebuild", stdout=output, stderr=sys.stderr)  # progress bar on stderr
    seconds = time.perf_counter() - started
    log(output.getvalue().strip())
    indexed = len(get_search_backend().document_ids())
    return {"rebuild_seconds": round(seconds, 1), "indexed": indexed, "rebuild_docs_per_s": round(indexed / seconds)}


# --- Queries ----------------------------------------------------------------------------------------


def representative_queries():
    """(name, GET parameters for /search/, SearchQuery fields): the same search both ways."""
    from django.utils import timezone

    today = timezone.localdate()
    after, before = today - timedelta(days=730), today - timedelta(days=550)
    return [
        ("free_text", {"q": "controlling order"}, {"text": "controlling order"}),
        ("phrase", {"q": '"income withholding"'}, {"phrases": ["income withholding"]}),
        ("tag", {"q": "tag:uifsa registration"}, {"tags": ["uifsa"], "text": "registration"}),
        ("jurisdiction_with_kind_facet", {"q": "jurisdiction:MO arrears", "kind": "topic"},
         {"jurisdictions": ["mo"], "text": "arrears", "kinds": ["topic"]}),
        ("type_question_answered", {"q": "type:question tribal", "answered": "yes"},
         {"topic_kinds": ["question"], "text": "tribal", "answered": True}),
        ("author", {"q": "author:garcia hearing"}, {"authors": ["garcia"], "text": "hearing"}),
        ("date_range", {"q": f"after:{after:%Y-%m-%d} before:{before:%Y-%m-%d} modification"},
         {"after": after, "before": before, "text": "modification"}),
        ("sort_by_date", {"q": "passport denial", "sort": "date"}, {"text": "passport denial", "sort": "date"}),
        ("page_5", {"q": "support", "page": 5}, {"text": "support", "page": 5}),
        ("misspelling_zero_hits", {"q": "interstaet"}, {"text": "interstaet"}),
    ]


def timed(call, count: int) -> tuple[float, float, list[float], list]:
    """(median ms, p95 ms, the samples, what each call returned) over `count` calls after one
    to warm up."""
    call()
    samples, answers = [], []
    for _ in range(count):
        begun = time.perf_counter()
        answers.append(call())
        samples.append((time.perf_counter() - begun) * 1000)
    return round(statistics.median(samples), 2), round(measuring.percentile(samples, 0.95), 2), samples, answers


def page_query_fields(params: dict) -> dict | None:
    """The SearchQuery fields the search page builds from these GET parameters (its own
    parser, search.forms), or None before the page exists."""
    try:
        from search.forms import read_search_request
    except ImportError:
        return None
    from django.http import QueryDict

    return read_search_request(QueryDict(urlencode(params))).query_kwargs() | {"per_page": 20}


def search_view_available() -> str | None:
    """None when /search/ resolves, else why not."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("search:results")
    except NoReverseMatch:
        return "view not available: search:results does not resolve (search/urls.py not included yet)"
    return None


def measure_queries(viewer, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from members.permissions import audience_ids
    from search.backends import get_search_backend
    from search.query import SearchQuery

    backend = get_search_backend()
    audience = audience_ids(viewer)
    unavailable = search_view_available()
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    view_samples, backend_samples, queries = [], [], []
    for name, params, fields in representative_queries():
        # The same query the page runs, when its parser exists; else the hand-built one.
        query = SearchQuery(audience=audience, **fields)
        page_fields = page_query_fields(params)
        same_as_page = None
        if page_fields is not None:
            page_query = SearchQuery(audience=audience, **page_fields)
            same_as_page, query = page_query == query, page_query
        results = backend.search(query)
        with CaptureQueriesContext(connection) as captured:
            backend.search(query)
        median, p95, samples, _ = timed(lambda query=query: backend.search(query), requests)
        backend_samples += samples
        entry = {"name": name, "q": params["q"], "params": params, "hits": results.total,
                 "did_you_mean": results.did_you_mean, "hand_built_query_matches_page": same_as_page,
                 "backend": {"median_ms": median, "p95_ms": p95, "queries_sql": len(captured)}}
        if unavailable is None:
            url = f"{reverse('search:results')}?{urlencode(params)}"
            status, sql = measuring.status_and_queries(client, url)
            entry.update(url=url, status=status, queries_sql=sql)
            if status == 200:
                median, p95, samples, statuses = timed(lambda url=url: client.get(url).status_code, requests)
                view_samples += samples
                entry.update(median_ms=median, p95_ms=p95)
                # Any other answer during the timed requests (e.g. 429 when the rate limiter's
                # cache key vanishes under it: django-ratelimit fails closed) is counted, not hidden.
                other = [status for status in statuses if status != 200]
                if other:
                    entry["non_200_during_timing"] = {str(code): other.count(code) for code in set(other)}
        queries.append(entry)
        log(f"  {name}: {results.total:,} hits; backend p95 {entry['backend']['p95_ms']} ms"
            + (f", page p95 {entry.get('p95_ms')} ms" if unavailable is None else ""))
    summary = {
        "viewer": {"email": viewer.email, "audience": sorted(audience)},
        "requests_per_query": requests,
        "queries": queries,
        "p95_ms_all": round(measuring.percentile(view_samples, 0.95), 2) if view_samples else None,
        "backend_p95_ms_all": round(measuring.percentile(backend_samples, 0.95), 2),
    }
    if unavailable:
        summary["view"] = unavailable
    return summary


# --- Commit to searchable ---------------------------------------------------------------------------


def start_worker() -> tuple[subprocess.Popen, Path]:
    """`manage.py db_worker` as `make worker` runs it, with this run's settings."""
    log_path = ROOT / "var" / "bench-search-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log_file:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker"], cwd=ROOT, env=os.environ.copy(),
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    return worker, log_path


def wait_until_found(backend, audience, word: str) -> float | None:
    """Seconds until `word` is found, from now; None after SEARCHABLE_TIMEOUT."""
    from search.query import SearchQuery

    query = SearchQuery(audience=audience, text=word, per_page=1)
    begun = time.perf_counter()
    while time.perf_counter() - begun < SEARCHABLE_TIMEOUT:
        if backend.search(query).total:
            return time.perf_counter() - begun
        time.sleep(POLL_SECONDS)
    return None


def measure_commit_to_searchable(viewer, live_category, commits: int) -> dict:
    from forum import services
    from members.permissions import audience_ids
    from search.backends import get_search_backend

    backend = get_search_backend()
    audience = audience_ids(viewer)
    run = uuid.uuid4().hex[:6]
    topic = services.create_topic(viewer, live_category, kind="discussion", title=f"Commit to searchable warmup{run}",
                                  body="The benchmark replies to this topic and times how soon each reply is found.")
    worker, log_path = start_worker()
    try:
        # The worker's start (Django setup, first poll) is not part of the figure.
        if wait_until_found(backend, audience, f"warmup{run}") is None:
            fail(f"the worker did not index the first topic within {SEARCHABLE_TIMEOUT} s (see {log_path})")
        samples = []
        for n in range(commits):
            word = f"probe{run}x{n}"
            if n % 2:  # a new topic (its topic document)
                services.create_topic(viewer, live_category, kind="question", title=f"Benchmark question {word}",
                                      body=f"Does anyone have a checklist for {word} cases?")
                kind = "topic"
            else:  # a reply (its own post document and its topic's)
                services.reply(viewer, topic, body=f"A reply mentioning {word}.")
                kind = "reply"
            seconds = wait_until_found(backend, audience, word)  # the service has committed
            samples.append({"kind": kind, "seconds": None if seconds is None else round(seconds, 3)})
            log(f"  {kind} {n + 1}/{commits}: searchable after {samples[-1]['seconds']} s")
            time.sleep(0.25 + (n * 0.37) % 1)  # land at different moments of the worker's poll
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
    found = [sample["seconds"] for sample in samples if sample["seconds"] is not None]
    return {
        "median": round(statistics.median(found), 3) if found else None,
        "max": round(max(found), 3) if found else None,
        "not_found": len(samples) - len(found),
        "samples": samples,
        "worker": "manage.py db_worker (default --interval 1 s)",
    }


# --- One backend ------------------------------------------------------------------------------------


def run_backend(part: str, args) -> dict:
    import django

    django.setup()
    measuring.check_scratch_database(BENCH, f"comity_bench_search{DATABASE_SUFFIX[part]}")
    from django.conf import settings

    from forum.models import Category
    from members.models import User
    from search.backends import get_search_backend

    backend = get_search_backend()
    if backend.name != part:
        fail(f"expected the {part} backend, got {backend.name}")
    log(f"{part}: seeding {DOCUMENTS[part]:,} documents (reused when already there)")
    result = {"backend": backend.name, "database": settings.DATABASES["default"]["NAME"], "debug": settings.DEBUG,
              **seed(DOCUMENTS[part])}
    result["health"] = backend.health()
    if part == "elasticsearch":
        result["index_prefix"] = settings.COMITY_SEARCH["INDEX_PREFIX"]
    log(f"{part}: rebuilding")
    result.update(rebuild())
    result["sources_only"] = sources_rate()
    viewer = User.objects.get(email=VIEWER_EMAIL)
    log(f"{part}: queries")
    result.update(measure_queries(viewer, args.requests))
    log(f"{part}: commit to searchable")
    result["commit_to_searchable_s"] = measure_commit_to_searchable(
        viewer, Category.objects.get(slug=LIVE_CATEGORY), args.commits
    )
    return result


if __name__ == "__main__":
    main()
