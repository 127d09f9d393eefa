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
- pdf_10_pages: extraction plus scan of a generated 10-page PDF (~500 words a page, demo prose
  with labelled snippets), median and p95 over 10 runs. Extraction runs as the background task
  runs it: in a fresh, resource-limited child process (forum/extraction/), so each run pays
  the process start and the PDF library's import (about 0.25 s) as well as the parsing.
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


def build_pdf(paragraphs: list[str], snippets: list[str], *, pages: int = 10, words_per_page: int = 500,
              seed: int = 10) -> bytes:
    """A `pages`-page PDF of about `words_per_page` words a page: demo prose with a labelled
    snippet now and then, so the scan has findings to make."""
    from forum.extraction.samples import pdf_bytes, wrap

    chooser = random.Random(seed)
    page_lines = []
    for _ in range(pages):
        words: list[str] = []
        while len(words) < words_per_page:
            source = chooser.choice(snippets) if chooser.random() < 0.15 else chooser.choice(paragraphs)
            words.extend(source.split())
        page_lines.append(wrap(words[:words_per_page]))
    return pdf_bytes(page_lines, compress=True)


def measure_pdf_extraction(paragraphs: list[str] | None = None, snippets: list[str] | None = None,
                           runs: int = 10) -> dict:
    """Extraction (in its limited child process, as the task runs it) plus scan_text() of a
    10-page PDF of ~500 words a page: median and p95 over `runs` runs."""
    import tempfile

    from forum.confidential import scan_text
    from forum.extraction import extract_text

    paragraphs = paragraphs or demo_prose()
    snippets = snippets or [snippet["text"] for snippet in _labelled()]
    data = build_pdf(paragraphs, snippets)
    extract_ms, scan_ms, total_ms = [], [], []
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        for _ in range(runs):
            started = time.perf_counter()
            result = extract_text(handle.name, "application/pdf")
            extracted = time.perf_counter()
            findings = scan_text(result.text)
            finished = time.perf_counter()
            extract_ms.append((extracted - started) * 1000)
            scan_ms.append((finished - extracted) * 1000)
            total_ms.append((finished - started) * 1000)
    return {
        "runs": runs,
        "pages": result.pages,
        "bytes": len(data),
        "words": len(result.text.split()),
        "status": result.status,
        "findings": len(findings),
        "extract_ms": {"median": round(statistics.median(extract_ms), 1), "p95": round(percentile(extract_ms, 0.95), 1)},
        "scan_ms": {"median": round(statistics.median(scan_ms), 1), "p95": round(percentile(scan_ms, 0.95), 1)},
        "total_ms": {"median": round(statistics.median(total_ms), 1), "p95": round(percentile(total_ms, 0.95), 1)},
    }


def _labelled() -> list[dict]:
    from forum.confidential.evaluation import load_labelled_snippets

    return load_labelled_snippets(LABELLED_SET)


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
        "pdf_10_pages": measure_pdf_extraction(paragraphs, [snippet["text"] for snippet in snippets]),
    }))


if __name__ == "__main__":
    main()
