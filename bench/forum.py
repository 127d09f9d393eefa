"""Measure the forum's pages on a large forum: 5,000 topics and 100,000 posts on PostgreSQL.

    DATABASE_URL=postgres://comity:comity@127.0.0.1:55432/comity_bench python -m bench.forum [--requests 50]

PostgreSQL only, on a scratch database of its own: DATABASE_URL must name a database whose
name contains "bench" (create it first, e.g. `CREATE DATABASE comity_bench;` as a role with
CREATEDB). The benchmark migrates it, loads the demo associations, pages and people (what
`seed_demo` loads, less its demo forum), then seeds ten benchmark categories in the
interstate commons with 5,000 topics and 100,000 posts, one of them a 1,000-post topic.
The seed is written once, in one transaction, and reused by later runs.

It then measures in-process with django.test.Client, signed in as a demo member who sees the
commons: the category listing (first page, 30 topics), a topic page with 50 posts, and page 10
of the 1,000-post topic. For each: the status, the SQL query count of one request, and the
median and 95th percentile time over --requests requests. A page whose view is still a
placeholder answers 404; it is reported with its status and no times.

DEBUG is off unless DJANGO_DEBUG says otherwise, so timings are not skewed by query logging.
Prints one JSON object.
"""

import argparse
import json
import os
import time
from datetime import timedelta

from bench import measuring
from bench.measuring import measure, status_and_queries

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

TOPICS = 5_000
POSTS = 100_000
CATEGORIES = 10
LONG_TOPIC_POSTS = 1_000
FIFTY_POST_TOPICS = 100
CATEGORY_PREFIX = "bench-"
AUTHORS = 200
VIEWER_EMAIL = "priya.natarajan@western.comity.test"  # a plain member of WICSEC (members.demo)


def fail(message: str) -> None:
    measuring.fail("forum", message)


def check_database() -> None:
    measuring.check_scratch_database("forum", "comity_bench")


def posts_per_topic() -> list[int]:
    """One 1,000-post topic, a hundred 50-post topics, the rest share what is left, so the
    total is exactly POSTS."""
    counts = [LONG_TOPIC_POSTS] + [50] * FIFTY_POST_TOPICS
    rest_topics = TOPICS - len(counts)
    rest_posts = POSTS - sum(counts)
    base, extra = divmod(rest_posts, rest_topics)
    counts += [base + 1] * extra + [base] * (rest_topics - extra)
    return counts


def demo_texts() -> tuple[list[str], list[str]]:
    """Realistic titles and post bodies, borrowed from the demo forum."""
    from forum.demo import DEMO_TOPICS

    titles = [demo.title for demo in DEMO_TOPICS]
    bodies = [demo.body for demo in DEMO_TOPICS] + [reply.body for demo in DEMO_TOPICS for reply in demo.replies]
    return titles, bodies


def seed_authors(jurisdictions):
    from django.contrib.auth.hashers import make_password

    from members.models import Profile, User

    existing = list(User.objects.filter(username__startswith="bench-author-").order_by("pk"))
    if len(existing) >= AUTHORS:
        return existing
    password = make_password(None)  # unusable: these accounts never sign in
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-author-{n:03d}", email=f"bench-author-{n:03d}@bench.comity.test",
                display_name=f"Benchmark author {n}", password=password,
            )
            for n in range(AUTHORS)
        ]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=user, agency="Division of Child Support", job_title="Caseworker",
                    jurisdiction=jurisdictions[n % len(jurisdictions)])
            for n, user in enumerate(users)
        ]
    )
    return users


def seed_forum() -> None:
    """The benchmark forum, written with bulk_create. This bypasses forum.services on
    purpose: a benchmark seed needs 100,000 posts in seconds, not permission checks
    and events per post. Counters, last posts and accepted answers are set afterwards in
    set-based updates, so the rows look exactly as the services would leave them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from forum.models import Category, Post, Topic
    from forum.rendering import render_markdown
    from members.models import Jurisdiction

    titles, bodies = demo_texts()
    # Rendering is the expensive part of a post; render each distinct body once.
    rendered = [render_markdown(body) for body in bodies]
    tag_names = [
        "uifsa", "controlling-order", "registration", "cej", "long-arm", "direct-withholding", "e-iwo", "nmsn",
        "fidm", "csenet", "quick", "tax-offset", "passport-denial", "license-suspension", "genetic-testing",
        "arrears", "interest", "case-closure", "locate", "hague-2007", "tribal", "modification", "employer",
    ]
    kinds = [Topic.Kind.QUESTION, Topic.Kind.QUESTION, Topic.Kind.PROCEDURE, Topic.Kind.DISCUSSION]

    with transaction.atomic():
        jurisdictions = list(Jurisdiction.objects.filter(kind__in=["state", "tribe", "foreign"]).order_by("code"))
        authors = seed_authors(jurisdictions)
        categories = [
            Category.objects.update_or_create(
                slug=f"{CATEGORY_PREFIX}{n:02d}",
                defaults={
                    "name": f"Benchmark category {n}", "association": None, "position": 200 + n,
                    "visibility": Category.Visibility.MEMBERS,
                    "description": "Benchmark data: 500 topics of practice questions, procedures and discussions.",
                },
            )[0]
            for n in range(1, CATEGORIES + 1)
        ]
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in tag_names]

        counts = posts_per_topic()
        now = timezone.now()
        start = now - timedelta(days=365)
        step = timedelta(days=365) / TOPICS
        topics, post_rows = [], []
        for index, count in enumerate(counts):
            created = start + step * index
            helpful = [(index + position) % 3 if position > 1 and (index + position) % 4 == 0 else 0
                       for position in range(1, count + 1)]
            topics.append(Topic(
                category=categories[index % CATEGORIES], kind=kinds[index % len(kinds)],
                title=f"{titles[index % len(titles)]} ({index + 1})", author=authors[index % AUTHORS],
                created_at=created, last_activity_at=created + timedelta(minutes=7 * (count - 1)),
                post_count=count, helpful_total=sum(helpful),
            ))
            post_rows.append(helpful)
        Topic.objects.bulk_create(topics, batch_size=1000)

        posts = []
        for index, (topic, helpful) in enumerate(zip(topics, post_rows)):
            for position, helpful_count in enumerate(helpful, start=1):
                body = (index * 31 + position) % len(bodies)
                posts.append(Post(
                    topic=topic, author=authors[(index + position * 13) % AUTHORS], position=position,
                    body=bodies[body], body_html=rendered[body],
                    created_at=topic.created_at + timedelta(minutes=7 * (position - 1)),
                    helpful_count=helpful_count,
                ))
            if len(posts) >= 10_000:
                Post.objects.bulk_create(posts, batch_size=2000)
                posts = []
        Post.objects.bulk_create(posts, batch_size=2000)

        bench_topics = Topic.objects.filter(category__in=categories)
        bench_topics.update(last_post=Subquery(
            Post.objects.filter(topic=OuterRef("pk"), position=OuterRef("post_count")).values("pk")[:1]
        ))
        # One practice question in four has its first reply accepted.
        answered = [topic.pk for topic in topics[::8] if topic.kind == Topic.Kind.QUESTION and topic.post_count > 1]
        Topic.objects.filter(pk__in=answered).update(accepted_answer=Subquery(
            Post.objects.filter(topic=OuterRef("pk"), position=2).values("pk")[:1]
        ))

        topic_type = ContentType.objects.get_for_model(Topic)
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(content_type=topic_type, object_id=topic.pk, tag=tags[(index + offset) % len(tags)])
                for index, topic in enumerate(topics)
                for offset in (0, 7)
            ],
            batch_size=5000,
        )
        Through = Topic.jurisdictions.through
        Through.objects.bulk_create(
            [
                Through(topic_id=topic.pk, jurisdiction_id=jurisdictions[(index + offset) % len(jurisdictions)].pk)
                for index, topic in enumerate(topics)
                for offset in ((0,) if index % 3 else (0, 11))
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for the new rows


def seed_site() -> None:
    """What `seed_demo` loads before its demo forum: associations, pages and people (the
    reader below is one of them). The demo forum is left out so the benchmark measures
    only its own data; no emails are sent or printed."""
    from django.db import transaction
    from django.test.utils import override_settings

    from cms.demo import seed_members_only_pages, seed_pages
    from members.demo import seed_admin, seed_associations, seed_people

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        seed_associations()
        admin = seed_admin()
        seed_pages()
        seed_people(admin)
        seed_members_only_pages()


def bench_data_counts() -> tuple[int, int]:
    from forum.models import Post, Topic

    return (
        Topic.objects.filter(category__slug__startswith=CATEGORY_PREFIX).count(),
        Post.objects.filter(topic__category__slug__startswith=CATEGORY_PREFIX).count(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    check_database()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from forum.models import Topic
    from members.models import User

    call_command("migrate", verbosity=0)
    seed_site()

    seed_seconds = None
    topics, posts = bench_data_counts()
    if (topics, posts) == (0, 0):
        started = time.perf_counter()
        seed_forum()
        seed_seconds = round(time.perf_counter() - started, 1)
        topics, posts = bench_data_counts()
    if (topics, posts) != (TOPICS, POSTS):
        fail(f"the benchmark data has {topics} topics and {posts} posts, not {TOPICS} and {POSTS}: "
             "drop and recreate the scratch database")

    bench_topics = Topic.objects.filter(category__slug__startswith=CATEGORY_PREFIX)
    long_topic = bench_topics.get(post_count=LONG_TOPIC_POSTS)
    fifty_post_topic = bench_topics.filter(post_count=50).order_by("pk").first()
    category = bench_topics.order_by("pk").first().category

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=VIEWER_EMAIL))
    topic_url = reverse("forum:topic", args=[long_topic.pk])
    results = {
        "category_listing": measure(client, reverse("forum:category", args=[category.slug]), args.requests),
        "topic_50_posts": measure(client, reverse("forum:topic", args=[fifty_post_topic.pk]), args.requests),
        "topic_1000_posts_page_10": measure(client, f"{topic_url}?page=10", args.requests),
    }
    # The query count must not grow with the page: compare the long topic's first page.
    results["topic_1000_posts_page_10"]["queries_on_page_1"] = status_and_queries(client, topic_url)[1]
    print(json.dumps({
        "benchmark": "forum",
        "database": connection.vendor,
        "debug": settings.DEBUG,
        "topics": topics,
        "posts": posts,
        "seed_seconds": seed_seconds,  # null when an earlier run's seed was reused
        **results,
    }))


if __name__ == "__main__":
    main()
