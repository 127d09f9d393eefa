"""Measure the confidential case-data guard: scan speed and accuracy on the labelled set.

    python -m bench.guard [--documents 200] [--words 1000]

No database, no services: the detector is pure Python. Prints one JSON object with

- scan_per_1000_words: the time to scan one post of about --words words, normalised to 1,000
  words, median and 95th percentile over --documents posts (aim: median <= 20 ms). The posts are
  the demo forum's prose with a labelled snippet (SSNs, case numbers, names, traps) after about
  every 80 words, so the recognisers have real work to do.
- first_scan_ms: the first scan in the process, which compiles the patterns and loads the phone
  number metadata (what the first post after a deploy pays).
- demo_prose: findings on the demo forum's posts alone, which hold no case data: every one is
  a false alarm in prose members actually write.
- labelled_set: precision and recall overall, on the high-risk kinds, and per kind, on
  tests/forum/confidential/labelled_snippets.jsonl (aims: high-risk recall >= 0.95, precision
  >= 0.9), with the snippet ids of the mistakes.
- pdf_10_pages: extraction plus scan of a 10-page PDF. Null until attachment text extraction
  exists (issue 8, item 1): fill in measure_pdf_extraction() then.
"""

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

LABELLED_SET = Path(__file__).resolve().parent.parent / "tests" / "forum" / "confidential" / "labelled_snippets.jsonl"
WORDS_BETWEEN_SNIPPETS = 80


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def demo_prose() -> list[str]:
    """Paragraphs of the demo forum: what members actually write."""
    from forum.demo import DEMO_TOPICS

    texts = [demo.body for demo in DEMO_TOPICS] + [reply.body for demo in DEMO_TOPICS for reply in demo.replies]
    return [paragraph.strip() for text in texts for paragraph in text.split("\n\n") if paragraph.strip()]


def build_posts(count: int, words: int, paragraphs: list[str], snippets: list[str], seed: int = 8) -> list[str]:
    """`count` posts of about `words` words: demo paragraphs with a labelled snippet after about
    every WORDS_BETWEEN_SNIPPETS words."""
    chooser = random.Random(seed)
    posts = []
    for _ in range(count):
        parts, total, since_snippet = [], 0, 0
        while total < words:
            if since_snippet >= WORDS_BETWEEN_SNIPPETS:
                part, since_snippet = chooser.choice(snippets), 0
            else:
                part = chooser.choice(paragraphs)
                since_snippet += len(part.split())
            parts.append(part)
            total += len(part.split())
        posts.append("\n\n".join(parts))
    return posts


def measure_scans(posts: list[str]) -> dict:
    from forum.confidential import scan_text

    per_thousand_words = []
    findings = 0
    for post in posts:
        started = time.perf_counter()
        findings += len(scan_text(post))
        elapsed = time.perf_counter() - started
        per_thousand_words.append(elapsed * 1000 * 1000 / len(post.split()))
    return {
        "posts": len(posts),
        "words_per_post_median": statistics.median(len(post.split()) for post in posts),
        "median_ms": round(statistics.median(per_thousand_words), 2),
        "p95_ms": round(percentile(per_thousand_words, 0.95), 2),
        "findings_per_post_mean": round(findings / len(posts), 1),
    }


def measure_demo_prose(paragraphs: list[str]) -> dict:
    from forum.confidential import scan_text

    findings = [finding for paragraph in paragraphs for finding in scan_text(paragraph)]
    return {
        "words": sum(len(paragraph.split()) for paragraph in paragraphs),
        "false_alarms": len(findings),
        "false_alarm_kinds": sorted({finding.kind.value for finding in findings}),
    }


def measure_pdf_extraction():
    """Extraction + scan of a 10-page PDF (issue 8, item 1). Whoever builds attachment text
    extraction fills this in: generate a 10-page PDF, time extraction and scan_text() of the
    result, and return {"extract_ms": ..., "scan_ms": ..., "total_ms": ...}."""
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=1000)
    args = parser.parse_args()

    import django

    django.setup()
    from forum.confidential import scan_text
    from forum.confidential.evaluation import evaluate, load_labelled_snippets

    snippets = load_labelled_snippets(LABELLED_SET)
    started = time.perf_counter()
    scan_text("Warm-up: the obligor's SSN 805-92-0373, cell (573) 555-0142.")
    first_scan_ms = round((time.perf_counter() - started) * 1000, 1)

    paragraphs = demo_prose()
    posts = build_posts(args.documents, args.words, paragraphs, [snippet["text"] for snippet in snippets])
    scans = measure_scans(posts)

    evaluation = evaluate(snippets)
    summary = evaluation.summary()
    summary["mistakes"] = [
        f"{'missed' if mistake.missed else 'false alarm'} {mistake.kind} in {mistake.snippet_id}"
        for mistake in evaluation.mistakes
    ]
    print(json.dumps({
        "benchmark": "guard",
        "first_scan_ms": first_scan_ms,
        "scan_per_1000_words": scans,
        "demo_prose": measure_demo_prose(paragraphs),
        "labelled_set": summary,
        "pdf_10_pages": measure_pdf_extraction(),
    }))


if __name__ == "__main__":
    main()
