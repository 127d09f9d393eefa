"""Measure the association sites: an association's home page, a newsletter issue and the
legislative updates index with 100 and with 1,000 updates, on PostgreSQL.

    DATABASE_URL=postgres://comity:comity@127.0.0.1:55432/comity_bench_cms python -m bench.cms [--requests 50]

PostgreSQL only, on a scratch database of its own: DATABASE_URL must name a database whose
name contains "bench" (create it first, e.g. `CREATE DATABASE comity_bench_cms;`). The
benchmark migrates it and loads the demo content (`seed_demo`), then adds benchmark data:
100 legislative updates on WICSEC's site, 1,000 on MCSEA's, and on MCSEA's newsletter an
issue with 40 articles. The data is written once and reused by later runs.

It then measures in-process with django.test.Client, as an anonymous visitor (the sites are
public) and, for the 1,000-update index, as a signed-in MCSEA member too (members see
members-only updates, so their listing checks view restrictions). For each page: the status,
the SQL query count of one request, and the median and 95th percentile time over --requests
requests. Query counts must not grow with the data: the index is measured at 100 and 1,000
updates, the issue with the demo's few articles and with 40, the home page on both sites.

DEBUG is off unless DJANGO_DEBUG says otherwise, so timings are not skewed by query logging.
Prints one JSON object.
"""

import argparse
import io
import json
import os
import time
from datetime import timedelta

from bench import measuring
from bench.measuring import measure, status_and_queries

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

UPDATES = {"western": 100, "missouri": 1_000}
UPDATE_SLUG_PREFIX = "bench-update-"
ISSUE_SLUG = "bench-issue-40-articles"
ISSUE_ARTICLES = 40
MEMBER_EMAIL = "jerome.price@missouri.comity.test"  # an MCSEA member (and editor) in members.demo


def fail(message: str) -> None:
    measuring.fail("cms", message)


def check_database() -> None:
    measuring.check_scratch_database("cms", "comity_bench_cms")


# --- Seed ---------------------------------------------------------------------------------------


def update_variants():
    """Realistic combinations of level, jurisdictions, status and dates, cycled through."""
    from cms.legislation.models import Level, Status

    return [
        (Level.STATE, ("MO",), Status.SIGNED, (-300, -120, 40)),
        (Level.STATE, ("MO", "KS"), Status.INTRODUCED, (-30, None, None)),
        (Level.FEDERAL, ("federal-ocss",), Status.EFFECTIVE, (-500, -200, -20)),
        (Level.STATE, ("OR", "WA"), Status.PASSED, (-90, None, None)),
        (Level.TRIBAL, ("tribe-navajo-nation",), Status.SIGNED, (-200, -60, 15)),
        (Level.INTERNATIONAL, ("intl-hague-other", "intl-canada"), Status.EFFECTIVE, (-700, -400, -100)),
        (Level.STATE, ("MO",), Status.VETOED, (-150, None, None)),
        (Level.TERRITORIAL, ("GU",), Status.WITHDRAWN, (-250, None, None)),
    ]


def seed_updates(association, count: int) -> float | None:
    """`count` benchmark updates under the association's index, added as live pages through
    Wagtail's tree (add_child validates each one) without a revision each: a benchmark seed
    needs a thousand pages in seconds, and pages are served the same either way."""
    from django.db import transaction
    from django.utils import timezone

    from cms.legislation.demo import DEMO_UPDATES
    from cms.legislation.models import LegislativeUpdatePage
    from cms.legislation.selectors import index_page_of
    from members.models import Jurisdiction

    index_page = index_page_of(association.home_page)
    if index_page is None:
        fail(f"{association.short_name} has no legislative updates index: did seed_demo run?")
    existing = LegislativeUpdatePage.objects.child_of(index_page).filter(slug__startswith=UPDATE_SLUG_PREFIX).count()
    if existing == count:
        return None
    if existing:
        fail(f"{association.short_name} has {existing} benchmark updates, not {count}: drop and recreate the scratch database")
    started = time.perf_counter()
    variants = update_variants()
    codes = {code for variant in variants for code in variant[1]}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    texts = list(DEMO_UPDATES)
    today = timezone.localdate()
    now = timezone.now()
    tag_pool = ["uifsa", "e-iwo", "employer", "arrears", "modification", "tribal", "hague-2007", "guidelines", "nmsn"]
    with transaction.atomic():
        for number in range(count):
            level, codes_for, status, offsets = variants[number % len(variants)]
            text = texts[number % len(texts)]
            # Spread past dates over a year (keeping their order); future ones stay as they are.
            shift = number % 365
            introduced, signed, effective = (
                None if offset is None else today + timedelta(days=offset - shift if offset < 0 else offset)
                for offset in offsets
            )
            update = LegislativeUpdatePage(
                title=f"Benchmark update {number + 1}: {text.title}",
                slug=f"{UPDATE_SLUG_PREFIX}{number + 1:04d}",
                live=True,
                first_published_at=now - timedelta(hours=number * 7),
                last_published_at=now - timedelta(hours=number * 7),
                level=level,
                bill_number=f"{'HB' if number % 2 else 'SB'} {1000 + number}",
                status=status,
                introduced_date=introduced,
                signed_date=signed,
                effective_date=effective,
                summary=text.summary,
                impact_on_practice=text.impact,
                source_url=text.source_url,
            )
            update.jurisdictions = [jurisdictions[code] for code in codes_for]
            update.tags.set([tag_pool[number % len(tag_pool)], tag_pool[(number + 3) % len(tag_pool)]])
            index_page.add_child(instance=update)
    return round(time.perf_counter() - started, 1)


def seed_issue(association) -> float | None:
    """A newsletter issue with 40 articles (live pages, not published through a revision, so
    no email delivery is started)."""
    from django.db import transaction
    from django.utils import timezone

    from cms.newsletters.models import ArticleAuthor, NewsletterArticlePage, NewsletterIssuePage
    from cms.newsletters.selectors import newsletter_index_for

    index_page = newsletter_index_for(association)
    if index_page is None:
        fail(f"{association.short_name} has no newsletter: did seed_demo run?")
    issue = NewsletterIssuePage.objects.child_of(index_page).filter(slug=ISSUE_SLUG).first()
    if issue is not None:
        return None
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        issue = NewsletterIssuePage(
            title="Benchmark issue: forty articles", slug=ISSUE_SLUG, live=True, first_published_at=now - timedelta(days=400),
            volume=99, number=1, quarter=1, year=now.year - 1,
            editors_note="<p>Forty short articles, to show the issue page costs the same queries however long it is.</p>",
        )
        index_page.add_child(instance=issue)
        for number in range(ISSUE_ARTICLES):
            article = NewsletterArticlePage(
                title=f"Practice note {number + 1}: registering an out-of-state order", slug=f"practice-note-{number + 1}",
                live=True, first_published_at=now - timedelta(days=400),
                summary="Which documents a tribunal needs to register another state's order for enforcement.",
                body=[("paragraph", "<p>Send the certified order, the sworn statement of arrears and the registration letter.</p>")],
            )
            article.authors = [ArticleAuthor(name=f"Author {number + 1}", affiliation="Family Support Division")]
            article.tags.set(["registration", "uifsa"])
            issue.add_child(instance=article)
    return round(time.perf_counter() - started, 1)


# --- Measure ------------------------------------------------------------------------------------


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

    from cms.legislation.models import LegislativeUpdatePage
    from cms.legislation.selectors import index_page_of
    from cms.newsletters.models import NewsletterIssuePage
    from members.models import Association, User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())  # keep stdout to the one JSON object

    associations = {association.slug: association for association in Association.objects.select_related("home_page")}
    seed_seconds = {
        f"updates_{slug}": seed_updates(associations[slug], count) for slug, count in UPDATES.items()
    }
    seed_seconds["newsletter_issue"] = seed_issue(associations["missouri"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for the new rows

    indexes = {slug: index_page_of(associations[slug].home_page) for slug in UPDATES}
    counts = {slug: LegislativeUpdatePage.objects.live().descendant_of(indexes[slug]).count() for slug in UPDATES}
    missouri_issues = NewsletterIssuePage.objects.live().descendant_of(associations["missouri"].home_page)
    big_issue = missouri_issues.get(slug=ISSUE_SLUG)
    demo_issue = missouri_issues.exclude(slug=ISSUE_SLUG).order_by("-first_published_at").first()

    anonymous = Client(raise_request_exception=False)
    member = Client(raise_request_exception=False)
    member.force_login(User.objects.get(email=MEMBER_EMAIL))
    n = args.requests
    index_1000 = indexes["missouri"].url
    results = {
        "home_page": measure(anonymous, associations["missouri"].home_page.url, n, updates_on_site=counts["missouri"]),
        "home_page_western_100_updates": measure(anonymous, associations["western"].home_page.url, n, updates_on_site=counts["western"]),
        "newsletter_issue_40_articles": measure(anonymous, big_issue.url, n, articles=big_issue.get_children().live().count()),
        "newsletter_issue_demo": measure(
            anonymous, demo_issue.url, n, articles=demo_issue.get_children().live().count()
        ) if demo_issue else None,
        "legislative_index_100": measure(anonymous, indexes["western"].url, n, updates=counts["western"]),
        "legislative_index_1000": measure(anonymous, index_1000, n, updates=counts["missouri"]),
        "legislative_index_1000_page_40": measure(anonymous, f"{index_1000}?page=40", n, updates=counts["missouri"]),
        "legislative_index_1000_filtered": measure(
            anonymous, f"{index_1000}?level=state&status=signed&jurisdiction=MO&year={django_year()}", n,
            updates=counts["missouri"],
        ),
        "legislative_index_1000_member": measure(member, index_1000, n, updates=counts["missouri"]),
        "legislative_feed_rss_1000": measure(
            anonymous, f"/legislation/{associations['missouri'].slug}/feed/rss/", n, updates=counts["missouri"]
        ),
    }
    print(json.dumps({
        "benchmark": "cms",
        "database": connection.vendor,
        "debug": settings.DEBUG,
        "seed_seconds": seed_seconds,  # null where an earlier run's seed was reused
        "queries_constant": {
            "legislative_index_100_vs_1000": [results["legislative_index_100"]["queries"], results["legislative_index_1000"]["queries"]],
            "home_page_western_100_vs_missouri_1000_updates": [results["home_page_western_100_updates"]["queries"], results["home_page"]["queries"]],
            "newsletter_issue_demo_vs_40_articles": [
                results["newsletter_issue_demo"]["queries"] if demo_issue else None,
                results["newsletter_issue_40_articles"]["queries"],
            ],
        },
        **results,
    }))


def django_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


if __name__ == "__main__":
    main()
