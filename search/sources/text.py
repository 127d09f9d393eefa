"""Plain text for search documents, from sanitised HTML (forum posts, Wagtail rich text) and
from Wagtail StreamField data.

HTML is read with the standard library's parser, never with regular expressions: tags go,
entities are decoded, the content of <script>, <style> and the like is dropped, and block
elements leave a space so "<p>a</p><p>b</p>" gives "a b". StreamFields are read from their
stored JSON (no block conversion, so no database queries for chosen images, documents or
pages): rich text, plain text and headings count; choices, links and choosers do not.
"""

from html.parser import HTMLParser

from wagtail import blocks

# Elements whose content is never text a reader sees.
SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "head", "title"})
# Elements that separate words; inline ones (<b>, <a>, <span>) do not ("<i>Name</i>." stays "Name.").
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
# A body longer than this is cut (at a word boundary) before indexing.
MAX_BODY_LENGTH = 100_000


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        if tag in BLOCK_ELEMENTS or tag in SKIPPED_ELEMENTS:
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1
        if tag in BLOCK_ELEMENTS or tag in SKIPPED_ELEMENTS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def squash_whitespace(text: str) -> str:
    return " ".join(text.split())


def html_to_text(html: str | None) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return squash_whitespace(html)
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return squash_whitespace("".join(extractor.parts))


def _raw_block_text(block, raw, out: list[str]) -> None:
    """Append the text of one block's stored (JSON) value to `out`."""
    if raw is None:
        return
    if isinstance(block, blocks.RichTextBlock):
        out.append(html_to_text(raw if isinstance(raw, str) else ""))
    elif isinstance(block, blocks.ChoiceBlock | blocks.URLBlock | blocks.EmailBlock | blocks.RawHTMLBlock):
        return  # values, addresses and raw markup are not prose
    elif isinstance(block, blocks.CharBlock | blocks.TextBlock):
        if isinstance(raw, str):
            out.append(squash_whitespace(raw))
    elif isinstance(block, blocks.StructBlock):
        if isinstance(raw, dict):
            for name, child in block.child_blocks.items():
                _raw_block_text(child, raw.get(name), out)
    elif isinstance(block, blocks.ListBlock):
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                item = item["value"]
            _raw_block_text(block.child_block, item, out)
    elif isinstance(block, blocks.StreamBlock):
        _raw_stream_text(block, raw if isinstance(raw, list) else [], out)
    # Choosers (page, image, document, snippet), numbers, dates and the like carry no prose.


def _raw_stream_text(stream_block, raw_items, out: list[str]) -> None:
    for item in raw_items:
        if not isinstance(item, dict):
            continue
        block = stream_block.child_blocks.get(item.get("type"))
        if block is not None:
            _raw_block_text(block, item.get("value"), out)


def stream_text(value) -> str:
    """The prose of a StreamField value (a StreamValue), in document order."""
    if not value:
        return ""
    out: list[str] = []
    _raw_stream_text(value.stream_block, list(value.raw_data), out)
    return " ".join(part for part in out if part)


def join_text(*parts: str | None) -> str:
    """Join non-empty parts with a space, cut to MAX_BODY_LENGTH at a word boundary."""
    text = " ".join(part for part in parts if part)
    if len(text) > MAX_BODY_LENGTH:
        text = text[:MAX_BODY_LENGTH].rsplit(" ", 1)[0]
    return text
