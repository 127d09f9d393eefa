"""Markdown to safe HTML for posts: markdown-it-py (CommonMark) renders, nh3 (ammonia)
sanitises. Raw HTML in a post is shown as text, never interpreted; the sanitiser is the
second wall, so a parser bug still cannot let a script, frame or event handler through."""

import nh3
from markdown_it import MarkdownIt

# Posts are practice questions and procedures, not code: no code blocks (indented text
# stays a paragraph), but tables, lists, emphasis, quotes and links work.
markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .disable(["code", "fence", "backticks"])
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Only table alignment survives from style attributes.
ALLOWED_STYLE_PROPERTIES = {"text-align"}


def render_markdown(text: str) -> str:
    html = markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        strip_comments=True,
    )
