"""Forms for starting a topic, replying, editing a post and uploading a new version of a
shared procedure's document, and the one-time submission token that stops a double click
(or a resubmitted page) from posting twice."""

import re
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy

from forum.attachments import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    AttachmentError,
    AttachmentsField,
    validate_upload,
)
from forum.models import Topic
from forum.services import MAX_TITLE_LENGTH
from members.forms.profiles import GroupedJurisdictionIterator
from members.models import Jurisdiction

MARKDOWN_HINT = (
    "Formatting uses Markdown: <code>**bold**</code>, <code>*italic*</code>, "
    "lists with <code>-</code> or <code>1.</code> at the start of a line, "
    "tables with <code>| pipes |</code>, links as <code>[text](https://…)</code>, "
    "<code>&gt;</code> for a quote and <code>@username</code> to mention a member. "
    "HTML is shown as text. Never post confidential case data."
)


# --- One-time submission tokens ---------------------------------------------------------------


class OneTimeSubmission:
    """A double click, a resubmitted page or a flaky connection must not post twice.

    Each rendered form carries a random token (signed for the signed-in user, so showing a
    form writes nothing). Sending the form claims the token atomically in the cache, so two
    requests racing with one token cannot both post; success records where the new thing
    lives, in the cache and in the session, so a replay of the token is sent there instead.

        submission = OneTimeSubmission(request)
        if submission.result_url: return redirect(submission.result_url)  # already posted
        if not submission.is_valid: ...                                     # stale or forged
        if not submission.claim(): ...                                      # still posting
        ... on success: submission.complete(url); on failure: submission.release()
    """

    FIELD = "submission_token"
    SALT = "forum.one-time-submission"
    SESSION_KEY = "forum_submitted_tokens"
    KEEP_IN_SESSION = 30
    RESULT_SECONDS = 24 * 60 * 60
    CLAIM_SECONDS = 60
    PENDING = "pending"

    def __init__(self, request):
        self.request = request
        self.token = (request.POST.get(self.FIELD) or "")[:200]
        self.nonce = self.nonce_of(request, self.token)

    @classmethod
    def new_token(cls, request) -> str:
        return signing.dumps([request.user.pk, secrets.token_urlsafe(16)], salt=cls.SALT, compress=False)

    @classmethod
    def nonce_of(cls, request, token: str) -> str | None:
        """The random part of `token` if it was signed for this user, else None."""
        if not token:
            return None
        try:
            user_pk, nonce = signing.loads(token, salt=cls.SALT)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return nonce if user_pk == request.user.pk and isinstance(nonce, str) else None

    @property
    def is_valid(self) -> bool:
        return self.nonce is not None

    @property
    def _cache_key(self) -> str:
        return f"forum:submission:{self.request.user.pk}:{self.nonce}"

    @property
    def result_url(self) -> str | None:
        """Where the first submission with this token went, if it succeeded."""
        if self.nonce is None:
            return None
        url = self.request.session.get(self.SESSION_KEY, {}).get(self.nonce)
        if url:
            return url
        cached = cache.get(self._cache_key)
        return cached if cached and cached != self.PENDING else None

    def claim(self, wait_seconds: float = 3.0) -> bool:
        """True if this request may post. When another request holds the token, wait a
        moment for its result (then `result_url` has it) and answer False."""
        if cache.add(self._cache_key, self.PENDING, self.CLAIM_SECONDS):
            return True
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and self.result_url is None:
            time.sleep(0.1)
        return False

    def release(self) -> None:
        """The post was refused (a field error, say): the same token may be sent again."""
        if cache.get(self._cache_key) == self.PENDING:
            cache.delete(self._cache_key)

    def complete(self, url: str) -> None:
        cache.set(self._cache_key, url, self.RESULT_SECONDS)
        submitted = dict(self.request.session.get(self.SESSION_KEY, {}))
        submitted[self.nonce] = url
        self.request.session[self.SESSION_KEY] = dict(list(submitted.items())[-self.KEEP_IN_SESSION :])


class SubmissionTokenMixin(forms.Form):
    """Adds the hidden one-time token; pass `request` so a fresh one is issued when the form
    is shown (and a stale or forged one is replaced when the form is shown again)."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if request is not None and not self.is_bound:
            self.fields["submission_token"].initial = OneTimeSubmission.new_token(request)

    def renew_submission_token(self) -> None:
        """After a refused submission the page is shown again with the typed text; keep the
        same token when it is still good (so a retry is still one submission)."""
        if self.request is None or not self.is_bound:
            return
        token = self.data.get("submission_token", "")
        if OneTimeSubmission.nonce_of(self.request, token) is None:
            data = self.data.copy()
            data["submission_token"] = OneTimeSubmission.new_token(self.request)
            self.data = data


# --- Fields -------------------------------------------------------------------------------------------


class JurisdictionsField(forms.ModelMultipleChoiceField):
    """Active jurisdictions in one multiple select, grouped by kind (states, territories,
    tribal nations ...). A forged or inactive id is a field error, never a crash."""

    iterator = GroupedJurisdictionIterator

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": "Choose jurisdictions from the list.",
                "invalid_pk_value": "Choose jurisdictions from the list.",
                "invalid_list": "Choose jurisdictions from the list.",
            },
        )
        super().__init__(queryset=Jurisdiction.objects.filter(is_active=True).order_by("kind", "name"), **kwargs)


def body_field(label: str, *, rows: int) -> forms.CharField:
    # Length and emptiness are the services' rules (PostingError), shown on the field; the
    # request's size is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE. No maxlength attribute:
    # a browser would cut a long paste silently, and nothing typed may be lost.
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": "Write something before posting."},
        help_text=MARKDOWN_HINT,
        # static/js/mentions.js offers @member suggestions from this endpoint.
        widget=forms.Textarea(attrs={"rows": rows, "data-mentions": reverse_lazy("forum:mention_suggestions")}),
    )


def title_field() -> forms.CharField:
    # Length rules live in the services (clean_title), like the body's.
    return forms.CharField(
        label="Title",
        error_messages={"required": "Give the topic a title of at least 8 characters that says what it is about."},
        help_text=f"At least 8 and at most {MAX_TITLE_LENGTH} characters that say what the topic is about, "
        "for example: “Registering a Texas order for enforcement only under UIFSA”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# --- The confidential case-data guard's fields (forum/guard.py) -----------------------------------------


class GuardFieldsMixin(forms.Form):
    """What the author answers when the guard shows findings: which findings they saw (a
    keyed hash), and "this is not real case data" with a reason. The templates show these
    fields only in the guard's panel (templates/forum/includes/guard_findings.html), so
    the ordinary fields are `form.main_fields`."""

    GUARD_FIELDS = ("guard_seen", "guard_confirm", "guard_reason")

    guard_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    guard_confirm = forms.BooleanField(
        label="This is not real case data", required=False,
        help_text="For example, numbers made up for the example, or a public court's general phone line.",
    )
    guard_reason = forms.CharField(
        label="Why is it not real case data?", required=False, max_length=500,
        help_text="Required when you confirm. Kept with the post for the moderators (at most 500 characters).",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def main_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.GUARD_FIELDS]

    def show_guard(self, check) -> None:
        """Shown again with `check`'s findings: remember which were shown. A confirmation
        given for other findings no longer counts (the reason typed stays)."""
        if not self.is_bound:
            return
        data = self.data.copy()
        if data.get("guard_seen", "") != check.fingerprint:
            data.pop("guard_confirm", None)
        data["guard_seen"] = check.fingerprint
        self.data = data


# --- Forms -------------------------------------------------------------------------------------------


class TopicForm(GuardFieldsMixin, SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What are you posting?",
        choices=Topic.Kind.choices,
        initial=Topic.Kind.DISCUSSION,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose discussion, practice question or shared procedure.",
                        "invalid_choice": "Choose discussion, practice question or shared procedure."},
    )
    title = title_field()
    body = body_field("Your post", rows=12)
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=500,
        help_text="Up to 8, separated by commas, for example: uifsa, income-withholding, controlling-order.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    jurisdictions = JurisdictionsField(
        label="Jurisdictions",
        required=False,
        help_text="The states, tribes, territories or countries the topic concerns. "
        "Hold Ctrl (Command on a Mac) to choose more than one.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    attachments = AttachmentsField()

    field_order = ["kind", "title", "body", "attachments", "tags", "jurisdictions", "submission_token"]

    def clean_tags(self) -> list[str]:
        return [tag for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "body": data["body"],
            "tags": data["tags"],
            "jurisdictions": list(data["jurisdictions"]),
        }


class ReplyForm(GuardFieldsMixin, SubmissionTokenMixin, forms.Form):
    body = body_field("Your reply", rows=8)
    attachments = AttachmentsField()
    quoted_post = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        # Distinct ids: the topic page holds other helpers' forms too.
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)

    def clean_quoted_post(self) -> int | None:
        # A hidden field's error would have nowhere to show; a mangled id just quotes nothing.
        value = (self.cleaned_data.get("quoted_post") or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None


class EditPostForm(GuardFieldsMixin, forms.Form):
    title = title_field()
    body = body_field("Post", rows=12)

    def __init__(self, *args, post, **kwargs):
        kwargs.setdefault("initial", {"title": post.topic.title, "body": post.body})
        super().__init__(*args, **kwargs)
        if post.position != 1:
            # Only the opening post carries the topic's title.
            del self.fields["title"]


class ProcedureVersionForm(SubmissionTokenMixin, forms.Form):
    """One file: the new version of a shared procedure's document. It is checked here (by
    its content, as every attachment is), so a refused file is reported before anything is
    stored and the current document stays as it was."""

    document = forms.FileField(
        label="New version of the document",
        error_messages={
            "required": "Choose the file with the new version of the procedure.",
            "empty": "The file you chose is empty. Choose the file with the new version of the procedure.",
            "invalid": "Choose the file with the new version of the procedure.",
        },
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = (
            f"{ALLOWED_DESCRIPTION}, at most {filesizeformat(settings.FORUM_ATTACHMENT_MAX_BYTES)}. "
            "It becomes the current version; the earlier versions stay listed and downloadable. "
            "Remove case details such as names, case numbers and Social Security numbers first."
        )

    def clean_document(self):
        try:
            return validate_upload(self.cleaned_data["document"])
        except AttachmentError as error:
            raise forms.ValidationError([*error.messages, CHOOSE_FILE_AGAIN]) from None


CHOOSE_FILE_AGAIN = "Choose the file again: a browser cannot keep a chosen file after the page reloads."


MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~@])")


def quote_as_markdown(post, author_name: str) -> str:
    """The reply box's starting text for "Quote": the post as a Markdown blockquote."""
    lines = post.body.replace("\r\n", "\n").strip().split("\n")
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    # A name is text, never formatting (nor a mention).
    name = MARKDOWN_PUNCTUATION.sub(r"\\\1", author_name)
    return f"> **{name}** wrote:\n>\n{quoted}\n\n"
