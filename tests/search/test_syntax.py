"""The search box's query syntax (search/syntax.py): pure unit tests, no database."""

import dataclasses
import itertools
import random
import time
from datetime import date

import pytest

from search.query import MAX_PHRASE_CHARS, MAX_PHRASES, MAX_TERMS, MAX_TEXT_CHARS, SearchQuery, words_of
from search.syntax import ECHO_CHARS, MAX_MESSAGES, MAX_QUERY_CHARS, ParsedQuery, canonical_text, parse_query

pytestmark = pytest.mark.smoke

UNKNOWN_FILTER = "Unknown filter “{}:”. Filters you can use: tag:, jurisdiction:, type:, author:, before:, after:."


def without_messages(parsed: ParsedQuery) -> ParsedQuery:
    return dataclasses.replace(parsed, messages=())


def assert_round_trip(parsed: ParsedQuery):
    # Free words such as "foo:bar" earn their message again; everything else is the same.
    assert without_messages(parse_query(canonical_text(parsed))) == without_messages(parsed)


# Filters


def test_plain_words_are_the_text():
    parsed = parse_query("  income   withholding order ")
    assert parsed == ParsedQuery(text="income withholding order")


def test_every_filter_at_once():
    parsed = parse_query(
        'uifsa "income withholding" tag:arrears jurisdiction:OR type:question type:article '
        'author:"Dana Whitaker" after:2025-06-30 before:2026-01-01 transfer'
    )
    assert parsed == ParsedQuery(
        text="uifsa transfer",
        phrases=("income withholding",),
        kinds=("article",),
        topic_kinds=("question",),
        tags=("arrears",),
        jurisdictions=("or",),
        authors=("dana whitaker",),
        after=date(2025, 6, 30),
        before=date(2026, 1, 1),
    )


def test_tags_are_slugs():
    assert parse_query("tag:UIFSA").tags == ("uifsa",)
    assert parse_query('tag:"Income Withholding"').tags == ("income-withholding",)
    assert parse_query("tag:#arrears").tags == ("arrears",)
    assert parse_query("tag:title_iv-d").tags == ("title_iv-d",)
    assert parse_query('tag:"  New   hire  "').tags == ("new-hire",)


def test_jurisdictions_are_lowercased_codes_and_state_is_an_alias():
    assert parse_query("jurisdiction:MO").jurisdictions == ("mo",)
    assert parse_query("jurisdiction:tribe-navajo-nation").jurisdictions == ("tribe-navajo-nation",)
    assert parse_query('jurisdiction:"Tribe Navajo Nation"').jurisdictions == ("tribe-navajo-nation",)
    assert parse_query("state:OR State:ks").jurisdictions == ("or", "ks")


@pytest.mark.parametrize(
    "value, field, expected",
    [
        ("question", "topic_kinds", "question"),
        ("questions", "topic_kinds", "question"),
        ("discussion", "topic_kinds", "discussion"),
        ("discussions", "topic_kinds", "discussion"),
        ("procedure", "topic_kinds", "procedure"),
        ("Procedures", "topic_kinds", "procedure"),
        ("topic", "kinds", "topic"),
        ("topics", "kinds", "topic"),
        ("post", "kinds", "post"),
        ("posts", "kinds", "post"),
        ("reply", "kinds", "post"),
        ("replies", "kinds", "post"),
        ("article", "kinds", "article"),
        ("articles", "kinds", "article"),
        ("issue", "kinds", "issue"),
        ("issues", "kinds", "issue"),
        ("newsletter", "kinds", "issue"),
        ("newsletters", "kinds", "issue"),
        ("update", "kinds", "update"),
        ("updates", "kinds", "update"),
        ("legislation", "kinds", "update"),
        ("event", "kinds", "event"),
        ("EVENTS", "kinds", "event"),
        ("page", "kinds", "page"),
        ("pages", "kinds", "page"),
        ('"question"', "topic_kinds", "question"),
    ],
)
def test_type_values(value, field, expected):
    parsed = parse_query(f"type:{value}")
    assert getattr(parsed, field) == (expected,)
    other = "kinds" if field == "topic_kinds" else "topic_kinds"
    assert getattr(parsed, other) == ()
    assert parsed.messages == ()


def test_unknown_type_lists_the_valid_ones():
    parsed = parse_query("type:memo child")
    assert parsed.kinds == parsed.topic_kinds == ()
    assert parsed.text == "child"
    assert parsed.messages == (
        "Unknown type “memo”. Types you can use: question, discussion, procedure, topic, post, article, "
        "issue, update, event, page.",
    )


def test_authors_are_lowercased_as_typed_and_may_be_quoted():
    assert parse_query("author:Whitaker").authors == ("whitaker",)
    assert parse_query('author:"Dana  Whitaker"').authors == ("dana whitaker",)
    assert parse_query("author:“Dana Whitaker”").authors == ("dana whitaker",)  # curly quotes
    assert parse_query("author:o'brien").authors == ("o'brien",)
    parsed = parse_query("author:!!!")
    assert parsed.authors == ()
    assert parsed.messages == ("Ignored “author:!!!”: a name needs letters or digits, like author:\"dana whitaker\".",)


def test_filter_names_are_case_insensitive():
    parsed = parse_query("TAG:uifsa Jurisdiction:MO tYpE:Question AUTHOR:dana After:2025 BEFORE:2026")
    assert parsed == ParsedQuery(
        tags=("uifsa",), jurisdictions=("mo",), topic_kinds=("question",), authors=("dana",),
        after=date(2025, 1, 1), before=date(2026, 1, 1),
    )


def test_repeated_filters_accumulate_in_order_without_repeats():
    parsed = parse_query("tag:a tag:b tag:A jurisdiction:mo jurisdiction:ks type:question type:procedure "
                         "type:questions type:post type:event author:dana author:lee")
    assert parsed.tags == ("a", "b")
    assert parsed.jurisdictions == ("mo", "ks")
    assert parsed.topic_kinds == ("question", "procedure")
    assert parsed.kinds == ("post", "event")
    assert parsed.authors == ("dana", "lee")


def test_repeated_dates_narrow_the_range():
    parsed = parse_query("after:2024 after:2025-03 before:2026-06-01 before:2026")
    assert (parsed.after, parsed.before) == (date(2025, 3, 1), date(2026, 1, 1))
    assert parsed.messages == ()


def test_trailing_sentence_punctuation_is_dropped_from_unquoted_values():
    parsed = parse_query("tag:uifsa, jurisdiction:mo; type:question. before:2026-01-01, author:dana.")
    assert parsed.tags == ("uifsa",)
    assert parsed.jurisdictions == ("mo",)
    assert parsed.topic_kinds == ("question",)
    assert parsed.before == date(2026, 1, 1)
    assert parsed.authors == ("dana",)
    assert parse_query('author:"Dana Jr."').authors == ("dana jr.",)  # quoted: kept as typed


def test_a_quoted_filter_value_must_follow_the_colon():
    parsed = parse_query('tag: "income withholding"')
    assert parsed.tags == ()
    assert parsed.phrases == ("income withholding",)
    assert parsed.messages == ("The filter “tag:” needs a value, like tag:uifsa.",)
    parsed = parse_query('tag:uifsa"income withholding"')
    assert (parsed.tags, parsed.phrases) == (("uifsa",), ("income withholding",))


# Dates


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-01-01", date(2026, 1, 1)),
        ("2025-06-30", date(2025, 6, 30)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2025-6-3", date(2025, 6, 3)),
        ("2025-06", date(2025, 6, 1)),  # a month means its first day
        ("2025", date(2025, 1, 1)),  # a year means its first day
        ('"2025-06-30"', date(2025, 6, 30)),
    ],
)
def test_date_forms(value, expected):
    assert parse_query(f"after:{value}").after == expected
    assert parse_query(f"before:{value}").before == expected


def test_a_year_before_and_after_is_that_whole_year():
    parsed = parse_query("after:2025 before:2026")
    assert (parsed.after, parsed.before) == (date(2025, 1, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    "value", ["2026-13-45", "2026-02-30", "2025-02-29", "2026-00", "2026-1-0", "26-01-01", "2026/01/01",
              "01-01-2026", "yesterday", "2026-01-01T10:00", "20260101", "2026-01-01-01", "٢٠٢٦", "-2026"],
)
def test_invalid_dates_are_ignored_with_a_message(value):
    parsed = parse_query(f"arrears before:{value}")
    assert parsed.before is None
    assert parsed.text == "arrears"
    assert parsed.messages == (f"Ignored “before:{value}”: dates look like 2026-01-31 (or 2026-01, or 2026).",)


def test_years_out_of_range_are_ignored():
    for value in ("0001-01-01", "1899-12-31", "3000", "9999-12-31"):
        parsed = parse_query(f"after:{value}")
        assert parsed.after is None
        assert parsed.messages == (f"Ignored “after:{value}”: use a year from 1900 to 2999.",)
    assert parse_query("after:0000").messages == ("Ignored “after:0000”: dates look like 2026-01-31 (or 2026-01, or 2026).",)


def test_after_not_earlier_than_before_drops_both_dates():
    parsed = parse_query("arrears after:2026-01-01 before:2025-01-01 tag:uifsa")
    assert (parsed.after, parsed.before) == (None, None)
    assert (parsed.text, parsed.tags) == ("arrears", ("uifsa",))  # the rest still runs
    assert parsed.messages == ("after:2026-01-01 is not earlier than before:2025-01-01, so both dates were ignored.",)
    parsed = parse_query("after:2025-06-01 before:2025-06-01")
    assert (parsed.after, parsed.before) == (None, None)
    assert len(parsed.messages) == 1
    parsed = parse_query("after:2025-06-01 before:2025-06-02")  # one day: after inclusive, before exclusive
    assert (parsed.after, parsed.before) == (date(2025, 6, 1), date(2025, 6, 2))


# Phrases and quoting


def test_phrases_in_order_with_whitespace_collapsed():
    parsed = parse_query('"income  withholding" arrears "   interstate\tcase " "income withholding"')
    assert parsed.phrases == ("income withholding", "interstate case")
    assert parsed.text == "arrears"


def test_curly_quotes_make_phrases():
    assert parse_query("“income withholding” arrears").phrases == ("income withholding",)
    assert parse_query("“income withholding“").phrases == ("income withholding",)


def test_phrases_with_no_words_are_dropped():
    parsed = parse_query('"" " " "&& ||" arrears')
    assert parsed == ParsedQuery(text="arrears")


def test_phrases_are_capped():
    raw = " ".join(f'"phrase {number}"' for number in range(MAX_PHRASES + 3))
    parsed = parse_query(raw)
    assert len(parsed.phrases) == MAX_PHRASES
    assert parsed.messages == (f"Only the first {MAX_PHRASES} phrases were searched.",)
    long = parse_query('"' + "word " * 200 + '"')
    assert len(long.phrases[0]) <= MAX_PHRASE_CHARS
    assert not long.phrases[0].endswith(" ")


def test_unclosed_quote_takes_the_rest_as_a_phrase():
    parsed = parse_query('arrears "income withholding tag:uifsa')
    assert parsed.text == "arrears"
    assert parsed.phrases == ("income withholding tag:uifsa",)
    assert parsed.tags == ()
    assert parsed.messages == ("A quotation mark was not closed; searched for “income withholding tag:uifsa” as a phrase.",)


def test_a_lone_quote_at_the_end_is_ignored_quietly():
    assert parse_query('arrears "') == ParsedQuery(text="arrears")
    assert parse_query('"') == ParsedQuery()
    assert parse_query('"""') == ParsedQuery()


def test_an_odd_number_of_quotes():
    parsed = parse_query('"a b" "c d" "e f')
    assert parsed.phrases == ("a b", "c d", "e f")
    assert len(parsed.messages) == 1


def test_unclosed_quote_in_a_filter_value():
    parsed = parse_query('author:"dana whitaker')
    assert parsed.authors == ("dana whitaker",)
    assert parsed.messages == ("A quotation mark was not closed; used “dana whitaker” for author:.",)
    parsed = parse_query('tag:"')
    assert parsed.tags == ()
    assert parsed.messages == ("The filter “tag:” needs a value, like tag:uifsa.",)


# Bad input


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", None])
def test_empty_queries(raw):
    assert parse_query(raw) == ParsedQuery()
    assert parse_query(raw).as_query_kwargs() == {}


@pytest.mark.parametrize(
    "raw, name", [("tag:", "tag"), ("jurisdiction:", "jurisdiction"), ("type:", "type"), ("author:", "author"),
                  ("before:", "before"), ("after:", "after"), ('tag:""', "tag"), ("tag:,", "tag"), ("STATE:", "jurisdiction")],
)
def test_empty_values(raw, name):
    parsed = parse_query(f"arrears {raw}")
    assert without_messages(parsed) == ParsedQuery(text="arrears")
    assert len(parsed.messages) == 1
    assert parsed.messages[0].startswith(f"The filter “{name}:” needs a value, like {name}:")


def test_values_with_no_letters_or_digits():
    parsed = parse_query("tag:!!! jurisdiction:-- arrears")
    assert without_messages(parsed) == ParsedQuery(text="arrears")
    assert parsed.messages == (
        "Ignored “tag:!!!”: it needs letters or digits, like tag:uifsa.",
        "Ignored “jurisdiction:--”: it needs letters or digits, like jurisdiction:or.",
    )


def test_unknown_filters_are_free_words_with_a_message():
    parsed = parse_query("foo:bar arrears")
    assert parsed.text == "foo:bar arrears"
    assert words_of(parsed.text) == ["foo", "bar", "arrears"]
    assert parsed.messages == (UNKNOWN_FILTER.format("foo"),)
    assert parse_query("Category:Enforcement").messages == (UNKNOWN_FILTER.format("category"),)


def test_an_unknown_filter_with_a_quoted_value():
    parsed = parse_query('foo:"bar baz"')
    assert parsed.text == "foo:"
    assert parsed.phrases == ("bar baz",)
    assert parsed.messages == (UNKNOWN_FILTER.format("foo"),)


def test_repeated_unknown_filters_are_reported_once():
    parsed = parse_query("foo:a foo:b foo:c")
    assert parsed.messages == (UNKNOWN_FILTER.format("foo"),)
    assert parsed.text == "foo:a foo:b foo:c"


@pytest.mark.parametrize(
    "raw", ["http://example.com/path", "https://x", "see mailto:someone", "10:30", "IV-D: arrears", "note: arrears",
            "c:\\path", ":colon", "a:", "x1:y", "tag1:foo", "foo::bar", "foo:/bar", "foo:-bar"],
)
def test_urls_times_and_stray_colons_are_plain_text(raw):
    parsed = parse_query(raw)
    assert parsed.messages == () or raw == "see mailto:someone"
    assert parsed.text == " ".join(raw.split())
    assert parsed.tags == parsed.jurisdictions == parsed.kinds == ()


def test_a_word_like_name_before_a_value_counts_as_a_filter_attempt():
    # "mailto:someone" looks like a filter someone meant; the words are still searched.
    parsed = parse_query("mailto:someone")
    assert parsed.text == "mailto:someone"
    assert parsed.messages == (UNKNOWN_FILTER.format("mailto"),)


SPECIALS = '+ - && || ! ( ) { } [ ] ^ ~ * ? : \\ /'


def test_lucene_special_characters_are_plain_text():
    parsed = parse_query(SPECIALS)
    assert parsed == ParsedQuery()
    parsed = parse_query('c++ (arrears OR "income withholding")^2 -modification title~ iv* a?b \\d /regex/ {1 TO 5} [x]')
    assert parsed.phrases == ("income withholding",)
    assert words_of(parsed.text) == ["c", "arrears", "or", "2", "modification", "title", "iv", "a", "b", "d",
                                     "regex", "1", "to", "5", "x"]
    assert parsed.messages == ()
    for character in SPECIALS.split():
        assert parse_query(f"tag:uifsa{character}").tags == ("uifsa",)  # slugified away
        assert parse_query(f"{character}tag:uifsa").tags == ()  # not a filter name any more
        if character != ":":  # "a:b" is an unknown filter a:
            assert parse_query(f"a{character}b").messages == ()


def test_control_characters_and_highlight_markers_are_spaces():
    parsed = parse_query("arrears\x00tag:uifsa\x1b\x7f\ue000income\ue001")
    assert parsed.text == "arrears income"
    assert parsed.tags == ("uifsa",)
    for value in (parsed.text, *parsed.tags):
        assert not any(ord(character) < 32 or character in "\x7f\ue000\ue001" for character in value)


def test_a_10000_character_query_is_parsed_quickly_and_capped():
    unit = 'arrears "income withholding" tag:uifsa foo:bar '
    raw = unit * (10_000 // len(unit))
    raw += "x" * (10_000 - len(raw))
    assert len(raw) == 10_000
    started = time.perf_counter()
    parsed = parse_query(raw)
    assert time.perf_counter() - started < 0.5
    assert len(words_of(parsed.text, limit=10_000)) <= MAX_TERMS + 2  # the last word kept may hold a few
    assert len(parsed.text) <= MAX_TEXT_CHARS
    assert parsed.phrases == ("income withholding",)
    assert parsed.tags == ("uifsa",)
    assert f"Only the first {MAX_TERMS} words were searched." in parsed.messages
    assert len(parsed.messages) <= MAX_MESSAGES
    assert_round_trip(parsed)


def test_one_enormous_word():
    parsed = parse_query("a" * 10_000)
    assert parsed.text == "a" * MAX_TEXT_CHARS
    assert parsed.messages == (f"Only the first {MAX_TEXT_CHARS:,} characters of your words were searched.",)
    parsed = parse_query(" ".join(["b" * 30] * 31 + ["c" * 100]))  # 31 words fit, the 32nd is cut
    assert len(parsed.text) == MAX_TEXT_CHARS and parsed.text.endswith(" " + "c" * (MAX_TEXT_CHARS - 31 * 31))
    assert len(parsed.messages) == 1
    assert_round_trip(parsed)
    parsed = parse_query("a" * 10_000)
    assert_round_trip(parsed)
    parsed = parse_query("tag:" + "a" * 10_000)
    assert parsed.tags and len(parsed.tags[0]) <= 100


def test_longer_queries_are_cut_with_a_message():
    parsed = parse_query("arrears " + "x" * (MAX_QUERY_CHARS * 10) + " tag:uifsa")
    assert parsed.tags == ()  # past the cut
    assert parsed.messages[0] == f"Your search was cut to its first {MAX_QUERY_CHARS:,} characters."
    assert parse_query("a" + " " * (MAX_QUERY_CHARS - 1)).messages == ()  # exactly the limit: not cut


def test_many_filter_values_stay_bounded():
    parsed = parse_query(" ".join(f"tag:t{number}" for number in range(500)))
    assert len(parsed.tags) == 50
    names = ["".join(letters) for letters in itertools.product("xyz", repeat=5)]
    parsed = parse_query(" ".join(f"{name}:x" for name in names))
    assert len(parsed.messages) == MAX_MESSAGES


def test_messages_never_echo_much_of_the_input():
    long_name = "q" * 500
    samples = [f"{long_name}:value", f'"{"w" * 500}', f'author:"{"v" * 500}', f"type:{'t' * 500}",
               f"before:{'9' * 500}", f"tag:{'!' * 500}", f"after:2026-01-01 before:2020 {long_name}"]
    for raw in samples:
        for message in parse_query(raw).messages:
            longest_run = max(len(run) for run in message.replace("…", " ").split())
            assert longest_run <= ECHO_CHARS + 10, message
            assert len(message) <= 200


# as_query_kwargs and canonical_text


def test_as_query_kwargs_has_only_the_non_empty_fields():
    assert parse_query("arrears").as_query_kwargs() == {"text": "arrears"}
    assert parse_query("tag:uifsa after:2025 foo:").as_query_kwargs() == {
        "text": "foo:", "tags": ("uifsa",), "after": date(2025, 1, 1)}
    kwargs = parse_query(
        'uifsa "income withholding" tag:a jurisdiction:mo type:question type:post author:dana after:2025 before:2026'
    ).as_query_kwargs()
    assert set(kwargs) == {"text", "phrases", "kinds", "topic_kinds", "tags", "jurisdictions", "authors", "after",
                           "before"}


def test_as_query_kwargs_builds_a_search_query():
    kwargs = parse_query('uifsa "income withholding" tag:A jurisdiction:MO type:post author:Dana after:2025 '
                         "before:2026 type:question").as_query_kwargs()
    # SearchQuery gains topic_kinds in this issue (the lead adds it); until then leave it out.
    if "topic_kinds" not in {field.name for field in dataclasses.fields(SearchQuery)}:
        kwargs.pop("topic_kinds")
    query = SearchQuery(audience=frozenset({"public"}), **kwargs)
    assert query.words == ["uifsa"]
    assert query.phrases == ("income withholding",)
    assert (query.tags, query.jurisdictions, query.kinds, query.authors) == (("a",), ("mo",), ("post",), ("dana",))
    assert (query.after, query.before) == (date(2025, 1, 1), date(2026, 1, 1))


def test_canonical_text():
    parsed = parse_query('TYPE:Questions author:"Dana Whitaker" arrears state:OR "income  withholding" '
                         "tag:uifsa before:2026 after:2025-06 type:replies foo:bar")
    assert canonical_text(parsed) == ('arrears foo:bar "income withholding" tag:uifsa jurisdiction:or type:post '
                                      'type:question author:"dana whitaker" after:2025-06-01 before:2026-01-01')
    assert_round_trip(parsed)
    assert canonical_text(ParsedQuery()) == ""


@pytest.mark.parametrize(
    "raw",
    ["", "arrears", '"a b" c', "tag:a tag:b", 'author:"dana,"', 'author:"a.b."', "author:dana", 'author:"x;"',
     "foo:bar", 'foo:"bar"', "http://x", 'x "unclosed tag:a', "after:2025 before:2026", "after:2026 before:2025",
     "c++ && || (a)", "tag:\"ÉTÉ d'été\"", "jurisdiction:tribe-navajo-nation type:newsletter", "a:b:c tag:x:y"],
)
def test_canonical_text_round_trips(raw):
    assert_round_trip(parse_query(raw))


def test_canonical_text_drops_quotes_a_view_may_put_in():
    edited = ParsedQuery(text='say "hello', phrases=('a "b" c',), tags=("x",))
    assert canonical_text(edited) == 'say hello "a b c" tag:x'


def test_canonical_text_quotes_values_that_need_it():
    assert canonical_text(ParsedQuery(authors=("dana whitaker", "lee", "jr."))) == 'author:"dana whitaker" author:lee author:"jr."'


# Property-style: random junk never raises, stays fast, and round-trips.

ALPHABET = list('+-&|!(){}[]^~*?:\\/"“”\'.,; \t\n\x00\ue000aéZ09_#@%<>') + [
    "tag:", "TAG:", "type:", "author:", "before:", "after:", "jurisdiction:", "state:", "foo:", "http://",
    "2026-01-01", "2025", "13-45", "question", " ", " ", '"', "uifsa", "&&", "||",
]


def test_random_strings_never_raise_and_round_trip():
    rng = random.Random(6)
    started = time.perf_counter()
    for _ in range(3000):
        raw = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        parsed = parse_query(raw)
        assert isinstance(parsed, ParsedQuery)
        assert len(parsed.messages) <= MAX_MESSAGES
        assert all(isinstance(message, str) and len(message) <= 200 for message in parsed.messages)
        assert parsed.after is None or parsed.before is None or parsed.after < parsed.before
        assert all(set(value) & set('"“”') == set() for value in (parsed.text, *parsed.phrases, *parsed.authors))
        assert without_messages(parse_query(canonical_text(parsed))) == without_messages(parsed), raw
        SearchQuery(audience=frozenset({"public"}), **{
            name: value for name, value in parsed.as_query_kwargs().items() if name != "topic_kinds"})
    assert time.perf_counter() - started < 10


def test_long_random_strings_stay_fast():
    rng = random.Random(60)
    for _ in range(20):
        raw = "".join(rng.choice(ALPHABET) for _ in range(4000))[:MAX_QUERY_CHARS]
        started = time.perf_counter()
        parsed = parse_query(raw)
        assert time.perf_counter() - started < 0.25
        assert_round_trip(parsed)


def test_every_backend_facet_has_one_address_parameter_and_heading():
    from search.forms import FACETS
    from search.query import FACET_NAMES

    assert tuple(facet.name for facet in FACETS) == FACET_NAMES
    assert len({facet.parameter for facet in FACETS}) == len(FACETS)
    fields = {field.name for field in dataclasses.fields(SearchQuery)}
    assert {facet.query_filter for facet in FACETS} - {None} <= fields
