"""Cross-site scripting: every payload goes through the posting services as a topic's opening
post and as a reply, and the rendered topic page is parsed to check that nothing in it can run
script: no script elements of the post's making, no event-handler attributes, no
javascript:/vbscript:/data: URLs, and none of the tags the sanitiser does not allow."""

import html
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from forum import services
from forum.rendering import ALLOWED_TAGS
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NUL = "\x00"

PAYLOADS = [
    # Script elements, in every spelling.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<ScRiPt>alert(document.cookie)</sCrIpT>",
    "<script\x20type='text/javascript'>alert(1);</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<svg><script>alert(1)</script></svg>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "*<img src=x onerror=alert(1)>*",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>\n> quoted",
    # Frames, objects and other active or page-changing elements.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>Go</button></form>',
    '<button formaction="javascript:alert(1)">Send</button>',
    "<style>body { display: none }</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<p style="width: expression(alert(1))">expression</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    # Dangerous link schemes, in Markdown and in raw HTML.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[click](java&#09;script:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    f"[click](jav{NUL}ascript:alert(1))",
    "[click](javascript\u200b:alert(1))",
    "[click](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(1))",
    "[ref link][1]\n\n[1]: javascript:alert(1)",
    "![image](javascript:alert(1))",
    '![image](x" onerror="alert(1))',
    '<a href="javascript:alert(1)">raw link</a>',
    '<a href=" javascript:alert(1)">raw link with a space</a>',
    '<a href="&#14;javascript:alert(1)">raw link with a control character</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # Link titles that try to break out of their attribute.
    '[title](https://example.org "x\\" onmouseover=\\"alert(1)")',
    "[title](https://example.org 'x\\' onclick=\\'alert(1)')",
    '[title](https://example.org "a" onmouseover="alert(1)")',
    # Mentions next to markup.
    "@<img src=x onerror=alert(1)>",
    "[@someone](javascript:alert(1))",
    # Null bytes, unicode tricks, malformed and very long input.
    f"<scr{NUL}ipt>alert(1)</script>",
    "<\u0131mg src=x onerror=alert(1)>",
    "<img src=x one\u200brror=alert(1)>",
    "**unclosed <b>bold *and <i>italic <a href='javascript:alert(1)'>",
    "<a href='https://example.org'><a href='javascript:alert(1)'>nested</a></a>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<script>alert(1)</script>" * 700,
    "[x](javascript:alert(1))" * 600,
]

# URL-carrying attributes, wherever they appear.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc", "content"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "style", "meta", "link", "base", "svg", "math",
                  "img", "input", "button", "textarea", "template", "noscript", "frame", "frameset", "applet"}
INVISIBLE = re.compile(r"[\x00-\x20\u200b-\u200f\u2028\u2029\ufeff]")


def normalised_url(value: str) -> str:
    """A URL as a browser would read its scheme: entities decoded, whitespace, control and
    zero-width characters dropped, lowercased."""
    return INVISIBLE.sub("", html.unescape(value)).lower()


def assert_no_script_in_post_body(body) -> None:
    for element in body.find_all(True):
        assert element.name in ALLOWED_TAGS, f"<{element.name}> in a post body"
        assert element.name not in FORBIDDEN_TAGS
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), f"event handler {attribute} on <{element.name}>"
            value = " ".join(value) if isinstance(value, list) else value
            if attribute.lower() in URL_ATTRIBUTES:
                assert not normalised_url(value).startswith(BAD_SCHEMES), f"{attribute}={value!r}"
            if attribute == "style":
                assert re.fullmatch(r"text-align:\s*(left|right|center)", value), value


def assert_page_is_safe(page: BeautifulSoup, raw: str) -> None:
    """Whole-page checks: the only scripts are the site's own, nothing carries a handler."""
    scripts = page.find_all("script")
    assert all(script.get("src", "").startswith("/static/") for script in scripts), scripts
    assert raw.lower().count("<script") == len(scripts)
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), f"event handler {attribute} on <{element.name}>"
            value = " ".join(value) if isinstance(value, list) else value
            if attribute.lower() in URL_ATTRIBUTES:
                assert not normalised_url(value).startswith(("javascript:", "vbscript:")), f"{attribute}={value!r}"
    assert not page.find_all(["iframe", "object", "embed", "frame", "applet", "base"])
    assert not page.find_all("meta", attrs={"http-equiv": True})
    assert all(form.get("action", "").startswith("/") for form in page.find_all("form"))


@pytest.fixture
def forum_setup():
    association = association_with_groups()
    category = CategoryFactory(association=association)
    asker = member_of(association, user=UserFactory(display_name="Asker"))
    replier = member_of(association, user=UserFactory(display_name="Replier", username="someone"))
    return category, asker, replier


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload-{number:02d}" for number in range(len(PAYLOADS))])
def test_payload_in_a_post_cannot_run_script(client, forum_setup, payload):
    category, asker, replier = forum_setup
    topic = make_topic(asker, category, body=payload[:20_000])
    reply = make_reply(replier, topic, body=payload[:20_000])
    client.force_login(replier)
    response = client.get(reverse("forum:topic", args=[topic.pk]))
    assert response.status_code == 200
    raw = response.content.decode()
    page = BeautifulSoup(raw, "html.parser")
    bodies = page.select(".comity-post__body")
    assert len(bodies) == 2
    for body in bodies:
        assert_no_script_in_post_body(body)
    assert_page_is_safe(page, raw)
    # Stored HTML is already safe, whoever reads it later (feeds, search, emails).
    for post in (topic.posts.get(position=1), reply):
        assert_no_script_in_post_body(BeautifulSoup(post.body_html, "html.parser"))


def test_there_are_at_least_forty_distinct_payloads():
    assert len(set(PAYLOADS)) == len(PAYLOADS) >= 40


TITLE_PAYLOADS = [
    "<script>alert(1)</script> in a title",
    '"><img src=x onerror=alert(1)> title',
    "</title><script>alert(1)</script>",
    "<svg onload=alert(1)> title here",
    "Title with &lt;script&gt; entities",
    "javascript:alert(1) as a title",
]


@pytest.mark.parametrize("title", TITLE_PAYLOADS)
def test_titles_are_shown_as_text(client, forum_setup, title):
    category, asker, _ = forum_setup
    topic = make_topic(asker, category, title=title)
    client.force_login(asker)
    raw = client.get(reverse("forum:topic", args=[topic.pk])).content.decode()
    page = BeautifulSoup(raw, "html.parser")
    assert page.h1.get_text() == topic.title and not page.h1.find_all(True)
    assert page.title.get_text().startswith(topic.title)
    assert_page_is_safe(page, raw)


def test_raw_html_in_a_post_is_shown_as_text(forum_setup):
    category, asker, _ = forum_setup
    post = make_topic(asker, category, body="<b>bold?</b> <script>alert(1)</script>").posts.get()
    text = BeautifulSoup(post.body_html, "html.parser").get_text()
    assert "<b>bold?</b>" in text and "<script>alert(1)</script>" in text


def test_safe_links_survive_with_rel_attributes(forum_setup):
    category, asker, _ = forum_setup
    post = make_topic(asker, category, body="[OCSE](https://www.acf.hhs.gov/css) and <https://example.org>").posts.get()
    links = BeautifulSoup(post.body_html, "html.parser").find_all("a")
    assert [link["href"] for link in links] == ["https://www.acf.hhs.gov/css", "https://example.org"]
    assert all("noopener" in link["rel"] and "nofollow" in link["rel"] for link in links)


def test_xss_in_an_edit_is_sanitised_too(forum_setup):
    category, asker, _ = forum_setup
    post = make_topic(asker, category).posts.get()
    services.edit_post(asker, post, body="<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    post.refresh_from_db()
    assert_no_script_in_post_body(BeautifulSoup(post.body_html, "html.parser"))
