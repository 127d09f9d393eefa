"""Standard pages' StreamField blocks: unsafe addresses refused, alt text required, and each
block rendered accessibly."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.blocks import CallToActionBlock, ImageBlock, StandardStreamBlock
from cms.models import StandardPage

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def cta(**value):
    block = CallToActionBlock()
    return block.clean(block.to_python({"text": "Join the council.", "button_label": "Join", "page": None, "url": "", **value}))


@pytest.mark.parametrize("address", [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "ftp://files.example.org/bylaws.pdf",
    "mailto:office@example.org",
])
def test_call_to_action_refuses_addresses_that_are_not_web_pages(address):
    with pytest.raises(ValidationError) as raised:
        cta(url=address)
    assert "url" in raised.value.block_errors


def test_call_to_action_takes_a_web_address_or_a_page_but_not_both(western):
    assert cta(url="https://www.acf.hhs.gov/css")["url"] == "https://www.acf.hhs.gov/css"
    assert cta(page=western.home.pk)["page"].pk == western.home.pk
    with pytest.raises(ValidationError) as both:
        cta(url="https://example.org/", page=western.home.pk)
    assert both.value.block_errors["url"].messages == ["Choose a page or enter a web address, not both."]
    with pytest.raises(ValidationError) as neither:
        cta()
    assert neither.value.block_errors["page"].messages == ["Choose a page or enter a web address for the button."]


def test_an_image_needs_alternative_text(media_root):
    image = get_image_model().objects.create(title="Conference", file=get_test_image_file())
    block = ImageBlock()
    for alt_text in ("", "   "):
        with pytest.raises(ValidationError) as raised:
            block.clean(block.to_python({"image": image.pk, "alt_text": alt_text, "caption": ""}))
        assert "alt_text" in raised.value.block_errors


def test_an_unsafe_address_in_the_admin_is_refused_and_what_was_typed_kept(client, western, people):
    client.force_login(people.western_admin)
    data = nested_form_data({
        "title": "About us", "slug": "about", "intro": "",
        "body": streamfield([
            ("paragraph", rich_text("<p>Founded in 1983.</p>")),
            ("call_to_action", {"text": "Read our history.", "page": "", "url": "javascript:alert(1)", "button_label": "History"}),
        ]),
    })
    data["action-publish"] = "1"
    response = client.post(f"/admin/pages/add/cms/standardpage/{western.home.pk}/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a web address that starts with http:// or https://." in html
    assert "Read our history." in html and "About us" in html
    assert not StandardPage.objects.exists()


def test_rich_text_from_the_editor_loses_javascript_links_and_escapes_markup():
    """The editor posts Draft.js content state; Wagtail turns it into stored HTML with the
    limited features only."""
    import json

    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from cms.blocks import RICH_TEXT_FEATURES

    typed = {
        "blocks": [{
            "key": "a", "type": "unstyled", "text": "Hello there <script>alert(2)</script>", "depth": 0,
            "inlineStyleRanges": [], "entityRanges": [{"offset": 6, "length": 5, "key": 0}], "data": {},
        }],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert(1)"}}},
    }
    stored = ContentstateConverter(features=RICH_TEXT_FEATURES).to_database_format(json.dumps(typed))
    assert "javascript:" not in stored and "<script" not in stored
    assert "Hello <a>there</a> &lt;script&gt;" in stored


def test_a_standard_page_renders_each_block(client, media_root, western):
    document = get_document_model()(title="Bylaws", collection_id=1)
    document.file.save("bylaws.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    image = get_image_model().objects.create(title="Conference", file=get_test_image_file())
    body = StandardStreamBlock().to_python([
        {"type": "heading", "value": {"text": "Who we are", "level": "h2"}},
        {"type": "paragraph", "value": "<p>Caseworkers, attorneys and judges.</p>"},
        {"type": "quote", "value": {"quote": "The council is where I learned who to call.", "attribution": "A caseworker"}},
        {"type": "document", "value": {"document": document.pk, "link_text": "", "description": "As amended."}},
        {"type": "image", "value": {"image": image.pk, "alt_text": "Members at the 2025 conference", "caption": "Reno, 2025"}},
        {"type": "call_to_action", "value": {"text": "Join us.", "page": None, "url": "https://example.org/join", "button_label": "Join"}},
    ])
    page = western.home.add_child(instance=StandardPage(title="About us", slug="about", body=body))
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About us</h1>" in html and "<h2>Who we are</h2>" in html
    assert "<blockquote><p>The council is where I learned who to call.</p></blockquote>" in html
    assert f'<a class="usa-link" href="{document.url}">Bylaws</a>' in html and "(PDF, 9" in html
    assert 'alt="Members at the 2025 conference"' in html and "<figcaption>Reno, 2025</figcaption>" in html
    assert '<a class="usa-button" href="https://example.org/join">Join</a>' in html
