"""The search box's query syntax: free words, "quoted phrases" and name:value filters.

    uifsa "income withholding" tag:arrears jurisdiction:OR type:question
    author:"dana whitaker" after:2025-06 before:2026-01-01

`parse_query` never raises. What it cannot use it leaves out (or keeps as free words) and
explains in `ParsedQuery.messages`, short plain-English strings the search page shows (the
template escapes them; none repeats more than 40 characters of what was typed). The rest
of the query still runs. `canonical_text` writes a parsed query back as box text, for links.

The rules:
- Filters: tag:, jurisdiction: (alias state:), type:, author:, before:, after:. Names are
  case-insensitive. A value is the rest of the word, or a quoted string right after the
  colon (`author:"dana whitaker"`). A trailing comma, semicolon or full stop is dropped from
  an unquoted value ("tag:uifsa, ...").
- Repeated filters accumulate: tag:a tag:b is either tag (so are jurisdictions, types,
  authors); repeated dates narrow the range (the latest after:, the earliest before:).
- tag: and jurisdiction: values are slugified like tag slugs ("Income Withholding" ->
  "income-withholding", "OR" -> "or"); author: values are lowercased as typed.
- type: takes question(s), discussion(s), procedure(s) (the kind of forum topic) or a
  document kind: topic(s), post(s)/reply/replies, article(s), issue(s)/newsletter(s),
  update(s)/legislation, event(s), page(s).
- Dates are YYYY-MM-DD, YYYY-MM or YYYY; a month or year means its first day. after: is
  inclusive and before: exclusive, so after:2025 before:2026 is the whole of 2025. An invalid
  date (or a year outside 1900-2999) is ignored; so are both dates when after: is not
  earlier than before:.
- Only a known name, or a word of letters followed by a colon and a letter, digit or quote,
  counts as a filter: "foo:bar" earns an "unknown filter" message (and stays as free words),
  while "http://x", "10:30" or "note: ..." are just text.
- "Quotes" mark a phrase; curly quotes count too (phones type them). A quote left open
  takes the rest of the box as the phrase (or value), with a message.
- Everything else, Lucene/Elasticsearch operators included (+ - && || ! ( ) { } [ ] ^ ~ * ?
  : \\ /), is plain text: the backends split words themselves and parse no query strings.
- Work is linear in the input and capped: at most MAX_QUERY_CHARS characters are read, and
  free words, phrases and filter values stop at search.query's limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import NamedTuple

from django.utils.text import slugify

from search.query import MAX_FILTER_VALUES, MAX_PHRASE_CHARS, MAX_PHRASES, MAX_TERMS, MAX_TEXT_CHARS, words_of

MAX_QUERY_CHARS = 10_000
MAX_VALUE_CHARS = 100  # one filter value (a tag, an author's name)
MAX_MESSAGES = 6
# Dates outside these years are refused: no content is that old, and a year like 0001 or
# 9999 overflows when a backend turns the day into an aware moment in another time zone.
MIN_YEAR, MAX_YEAR = 1900, 2999
ECHO_CHARS = 40  # how much of the user's input a message repeats

QUOTES = '"\u201c\u201d'  # straight and curly double quotes
FILTER_NAMES = ("tag", "jurisdiction", "type", "author", "before", "after")
ALIASES = {"state": "jurisdiction"}
EXAMPLES = {
    "tag": "tag:uifsa",
    "jurisdiction": "jurisdiction:or",
    "type": "type:question",
    "author": 'author:"dana whitaker"',
    "before": "before:2026-01-01",
    "after": "after:2025-06-30",
}

# type: value -> (ParsedQuery field, value). Document kinds are search.documents.KINDS.
TYPES = {}
for _field, _value, _spellings in (
    ("topic_kinds", "question", ("question", "questions")),
    ("topic_kinds", "discussion", ("discussion", "discussions")),
    ("topic_kinds", "procedure", ("procedure", "procedures")),
    ("kinds", "topic", ("topic", "topics")),
    ("kinds", "post", ("post", "posts", "reply", "replies")),
    ("kinds", "article", ("article", "articles")),
    ("kinds", "issue", ("issue", "issues", "newsletter", "newsletters")),
    ("kinds", "update", ("update", "updates", "legislation")),
    ("kinds", "event", ("event", "events")),
    ("kinds", "page", ("page", "pages")),
):
    for _spelling in _spellings:
        TYPES[_spelling] = (_field, _value)
TYPE_NAMES = "question, discussion, procedure, topic, post, article, issue, update, event, page"

_RUN = re.compile(f"[^\\s{QUOTES}]+")  # a word: anything up to whitespace or a quote
_CLOSING_QUOTE = re.compile(f"[{QUOTES}]")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_TRIMMED = ",;."
# Control characters (PostgreSQL rejects NUL) and the private-use highlight markers the
# backends use (search.query.MARK_OPEN/CLOSE) become spaces.
_BLANKS = {code: " " for code in [*range(32), 127, 0xE000, 0xE001]}


@dataclass(frozen=True)
class ParsedQuery:
    text: str = ""  # the free words left after filters and phrases are taken out
    phrases: tuple[str, ...] = ()  # quoted phrases, in order
    kinds: tuple[str, ...] = ()  # document kinds: topic, post, article, issue, update, event, page
    topic_kinds: tuple[str, ...] = ()  # discussion, question, procedure
    tags: tuple[str, ...] = ()  # lowercased tag slugs
    jurisdictions: tuple[str, ...] = ()  # lowercased codes ("or", "tribe-navajo-nation")
    authors: tuple[str, ...] = ()  # lowercased names, as typed
    after: date | None = None  # inclusive
    before: date | None = None  # exclusive
    messages: tuple[str, ...] = ()  # plain-English problems found, for the page to show

    def as_query_kwargs(self) -> dict:
        """Keyword arguments for SearchQuery: the non-empty fields other than messages."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "messages" and getattr(self, field.name) not in ("", (), None)
        }


class _Token(NamedTuple):
    kind: str  # "word", "phrase" or "filter"
    text: str  # the word, the phrase, or the filter's value
    name: str = ""  # filter: its canonical name; word: the name of an unknown filter, if it looks like one
    quoted: bool = False
    closed: bool = True  # False when a quote was left open


def _tokens(raw: str):
    """Split the box into words, phrases and filters in one pass (each character is read
    once, so a long query stays cheap)."""
    position, end = 0, len(raw)
    while position < end:
        character = raw[position]
        if character.isspace():
            position += 1
        elif character in QUOTES:
            text, position, closed = _quoted(raw, position)
            yield _Token("phrase", text, closed=closed)
        else:
            run = _RUN.match(raw, position).group()
            position += len(run)
            name, colon, value = run.partition(":")
            name = ALIASES.get(name.lower(), name.lower())
            followed_by_quote = position < end and raw[position] in QUOTES
            if colon and name in FILTER_NAMES:
                if not value and followed_by_quote:
                    value, position, closed = _quoted(raw, position)
                    yield _Token("filter", value, name, quoted=True, closed=closed)
                else:
                    yield _Token("filter", value, name)
            elif colon and name.isascii() and name.isalpha() and (value[:1].isalnum() or followed_by_quote):
                # Looks like a filter someone meant ("foo:bar", 'foo:"x"'); a URL or a time does not.
                yield _Token("word", run, name)
            else:
                yield _Token("word", run)


def _quoted(raw: str, position: int) -> tuple[str, int, bool]:
    """The text between the quote at `position` and the next quote (or the end), the
    position after it, and whether the quote was closed."""
    closing = _CLOSING_QUOTE.search(raw, position + 1)
    if closing is None:
        return raw[position + 1 :], len(raw), False
    return raw[position + 1 : closing.start()], closing.end(), True


def _echo(text: str) -> str:
    """At most ECHO_CHARS of the user's input, whitespace collapsed, for a message."""
    text = " ".join(text.split())
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "\u2026"


def _phrase(text: str) -> str:
    return " ".join(text.split())[:MAX_PHRASE_CHARS].strip()


def _parse_date(value: str) -> date | None:
    match = _DATE.fullmatch(value)
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _Parser:
    def __init__(self):
        self.words: list[str] = []
        self.word_count = 0
        self.text_chars = 0
        self.phrases: list[str] = []
        self.values = {"kinds": {}, "topic_kinds": {}, "tags": {}, "jurisdictions": {}, "authors": {}}
        self.after: date | None = None
        self.before: date | None = None
        self.messages: list[str] = []

    def say(self, message: str):
        if message not in self.messages and len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def word(self, token: _Token):
        if token.name:
            self.say(f"Unknown filter \u201c{_echo(token.name)}:\u201d. Filters you can use: "
                     + ", ".join(f"{name}:" for name in FILTER_NAMES) + ".")
        # Words with no letters or digits (&&, +, -) would match nothing: leave them out.
        if not words_of(token.text, 1):
            return
        if self.word_count >= MAX_TERMS:
            self.say(f"Only the first {MAX_TERMS} words were searched.")
            return
        room = MAX_TEXT_CHARS - self.text_chars - (1 if self.words else 0)
        if len(token.text) > room:
            self.say(f"Only the first {MAX_TEXT_CHARS:,} characters of your words were searched.")
        run = token.text[: max(room, 0)]
        if not words_of(run, 1):
            return
        self.words.append(run)
        self.word_count += len(words_of(run))
        self.text_chars += len(run) + (1 if len(self.words) > 1 else 0)

    def phrase(self, token: _Token):
        phrase = _phrase(token.text)
        if not words_of(phrase, 1):
            return  # "" or "!!!": nothing to look for
        if not token.closed:
            self.say(f"A quotation mark was not closed; searched for \u201c{_echo(phrase)}\u201d as a phrase.")
        if phrase in self.phrases:
            return
        if len(self.phrases) >= MAX_PHRASES:
            self.say(f"Only the first {MAX_PHRASES} phrases were searched.")
            return
        self.phrases.append(phrase)

    def filter(self, token: _Token):
        name, raw_value = token.name, token.text
        value = raw_value if token.quoted else raw_value.rstrip(_TRIMMED)
        value = " ".join(value.split())[:MAX_VALUE_CHARS].strip()
        if not token.closed and value:
            self.say(f"A quotation mark was not closed; used \u201c{_echo(value)}\u201d for {name}:.")
        if not value:
            self.say(f"The filter \u201c{name}:\u201d needs a value, like {EXAMPLES[name]}.")
            return
        shown = f"\u201c{name}:{_echo(value)}\u201d"
        if name in ("before", "after"):
            day = _parse_date(value)
            if day is None:
                self.say(f"Ignored {shown}: dates look like 2026-01-31 (or 2026-01, or 2026).")
            elif not MIN_YEAR <= day.year <= MAX_YEAR:
                self.say(f"Ignored {shown}: use a year from {MIN_YEAR} to {MAX_YEAR}.")
            elif name == "after":
                self.after = day if self.after is None else max(self.after, day)
            else:
                self.before = day if self.before is None else min(self.before, day)
        elif name == "type":
            kind = TYPES.get(slugify(value, allow_unicode=True))
            if kind is None:
                self.say(f"Unknown type \u201c{_echo(value)}\u201d. Types you can use: {TYPE_NAMES}.")
            else:
                self.add(*kind)
        elif name == "author":
            if words_of(value, 1):
                self.add("authors", value.lower())
            else:
                self.say(f"Ignored {shown}: a name needs letters or digits, like {EXAMPLES[name]}.")
        else:  # tag, jurisdiction: slugs, as the documents store them
            slug = slugify(value, allow_unicode=True)
            if slug:
                self.add("tags" if name == "tag" else "jurisdictions", slug)
            else:
                self.say(f"Ignored {shown}: it needs letters or digits, like {EXAMPLES[name]}.")

    def add(self, field: str, value: str):
        if len(self.values[field]) < MAX_FILTER_VALUES:
            self.values[field][value] = None  # a dict keeps the order and drops repeats

    def result(self) -> ParsedQuery:
        after, before = self.after, self.before
        if after is not None and before is not None and after >= before:
            self.say(f"after:{after.isoformat()} is not earlier than before:{before.isoformat()}, "
                     "so both dates were ignored.")
            after = before = None
        return ParsedQuery(
            text=" ".join(self.words),
            phrases=tuple(self.phrases),
            **{field: tuple(values) for field, values in self.values.items()},
            after=after,
            before=before,
            messages=tuple(self.messages),
        )


def parse_query(raw: str) -> ParsedQuery:
    """Parse what was typed in the search box. Never raises."""
    parser = _Parser()
    raw = "" if raw is None else str(raw)
    if len(raw) > MAX_QUERY_CHARS:
        raw = raw[:MAX_QUERY_CHARS]
        parser.say(f"Your search was cut to its first {MAX_QUERY_CHARS:,} characters.")
    for token in _tokens(raw.translate(_BLANKS)):
        getattr(parser, token.kind)(token)
    return parser.result()


def canonical_text(parsed: ParsedQuery) -> str:
    """`parsed` written back as box text: the free words, the "phrases", then the filters.
    parse_query(canonical_text(p)) gives p back (without its messages)."""
    # Parsed values never hold quotes, but a view may swap in other text ("did you mean").
    text, phrases = _unquoted(parsed.text), [_unquoted(phrase) for phrase in parsed.phrases]
    parts = [text] if text else []
    parts += [f'"{phrase}"' for phrase in phrases if phrase]
    parts += [f"tag:{tag}" for tag in parsed.tags]
    parts += [f"jurisdiction:{code}" for code in parsed.jurisdictions]
    parts += [f"type:{kind}" for kind in (*parsed.kinds, *parsed.topic_kinds)]
    parts += [f"author:{_quote_value(author)}" for author in parsed.authors]
    if parsed.after:
        parts.append(f"after:{parsed.after.isoformat()}")
    if parsed.before:
        parts.append(f"before:{parsed.before.isoformat()}")
    return " ".join(parts)


def _unquoted(text: str) -> str:
    return " ".join(_CLOSING_QUOTE.sub(" ", text).split())


def _quote_value(value: str) -> str:
    """Quote a value unless it would read back the same without quotes."""
    plain = value and not any(character.isspace() for character in value) and value.rstrip(_TRIMMED) == value
    return value if plain else f'"{_unquoted(value)}"'
