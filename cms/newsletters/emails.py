"""The email of one newsletter issue: built once per delivery, addressed once per recipient
(each copy carries its own unsubscribe link), plain text and HTML."""

import html
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from wagtail.rich_text import expand_db_html

from cms.newsletters import selectors, services
from cms.newsletters.models import DeliveryRecipient, NewsletterIssuePage
from config.mail import absolute_url
from members.models import Association

RELATIVE_LINK = re.compile(r'(href|src)="/(?!/)')
BLOCK_END = re.compile(r"</(p|h[1-6]|li|ul|ol|blockquote)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


def absolute_links(rich_text: str, base_url: str) -> str:
    """Rich text for an email or a feed: Wagtail's internal links expanded and made absolute."""
    base = base_url.rstrip("/")
    return RELATIVE_LINK.sub(lambda match: f'{match.group(1)}="{base}/', expand_db_html(rich_text))


def plain_text(rich_text_html: str) -> str:
    text = LINK.sub(lambda match: f"{match.group(2)} ({match.group(1)})", rich_text_html)
    text = BLOCK_END.sub("\n", text)
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.IGNORECASE)
    text = html.unescape(TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class IssueEmail:
    def __init__(self, issue: NewsletterIssuePage, association: Association):
        self.issue = issue
        self.association = association
        note_html = absolute_links(issue.editors_note, settings.SITE_URL) if issue.editors_note else ""
        self.context = {
            "issue": issue,
            "association": association,
            "issue_url": absolute_url(issue.get_url()),
            "pdf_url": absolute_url(issue.pdf.url) if issue.pdf_id and issue.pdf else "",
            "editors_note_html": note_html,
            "editors_note_text": plain_text(note_html),
            "articles": [
                {"title": article.title, "summary": article.summary, "byline": article.byline(), "url": absolute_url(article.get_url())}
                for article in selectors.articles_for_members(issue, association)
            ],
        }
        self.subject = f"{association.short_name} newsletter: {issue.title} ({issue.summary_line})"

    def message_for(self, recipient: DeliveryRecipient, connection) -> EmailMultiAlternatives:
        unsubscribe_url = services.unsubscribe_url(recipient.subscription_id)
        context = {**self.context, "unsubscribe_url": unsubscribe_url}
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=render_to_string("cms/newsletters/email/issue.txt", context),
            to=[recipient.email],
            reply_to=[self.association.contact_email] if self.association.contact_email else None,
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                # RFC 8058 one-click: mail clients POST to the link (our POST unsubscribes).
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string("cms/newsletters/email/issue.html", context), "text/html")
        return message
