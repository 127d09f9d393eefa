"""StreamField blocks shared by Comity's page types."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class WebAddressField(forms.URLField):
    """A URL field for links in content: web pages only, so no javascript:, data:, mailto:
    or ftp: addresses (one clear message instead of Django's two)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Enter a web address that starts with http:// or https://."}


class WebAddressBlock(blocks.FieldBlock):
    def __init__(self, required=True, help_text=None, max_length=500, **kwargs):
        self.field = WebAddressField(required=required, help_text=help_text, max_length=max_length, assume_scheme="https")
        super().__init__(**kwargs)

    class Meta:
        icon = "link-external"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=150)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading 2"), ("h3", "Heading 3")], default="h2")

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=150)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"


class DocumentBlock(blocks.StructBlock):
    """A link to a document from the association's collection, with its type and size.
    Documents in a members-only collection are served only to members."""

    document = DocumentChooserBlock()
    link_text = blocks.CharBlock(
        required=False, max_length=150, help_text="Leave blank to use the document's title."
    )
    description = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        label="Alternative text",
        max_length=250,
        help_text="What the image shows, for people who cannot see it (read aloud by screen readers).",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"


class CallToActionBlock(blocks.StructBlock):
    """A short invitation with one button, leading to a page of this site or a web address."""

    text = blocks.CharBlock(max_length=250, help_text="One or two sentences that say what the reader can do.")
    page = blocks.PageChooserBlock(required=False, help_text="A page of this site…")
    url = WebAddressBlock(required=False, label="Web address", help_text="…or a web address (http:// or https://).")
    button_label = blocks.CharBlock(max_length=60)

    class Meta:
        icon = "link"
        template = "cms/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if value["page"] and value["url"]:
            raise StructBlockValidationError(
                block_errors={"url": ValidationError("Choose a page or enter a web address, not both.")}
            )
        if not value["page"] and not value["url"]:
            raise StructBlockValidationError(
                block_errors={"page": ValidationError("Choose a page or enter a web address for the button.")}
            )
        return value


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]


class StandardStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    quote = QuoteBlock()
    document = DocumentBlock()
    image = ImageBlock()
    call_to_action = CallToActionBlock()
