"""Attachments on forum posts: what a file really is (decided from its bytes, never from its
name or the browser's say-so), the checks an upload must pass, the services that store
files privately, and the selectors for a shared procedure's current document and its earlier
versions.

A posting view validates before it writes, so a refused file never costs the member the
text they typed:

    uploads = validate_uploads(request.FILES.getlist("attachments"))   # AttachmentError
    post = services.reply(...)
    attach_files(post, uploads, by=request.user)

or, with a form, `attachments = AttachmentsField()` does the validation in `form.is_valid()`
and `form.cleaned_data["attachments"]` is the list of `ValidatedUpload`s.
"""

import logging
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from PIL import Image

from config.events import emit
from forum.models import Attachment, Post, Topic
from forum.selectors import ForumViewer
from members import permissions

logger = logging.getLogger(__name__)

MAX_FILES_PER_POST = 5
# Office documents are ZIP archives; these bound what a reader's software would unpack.
ZIP_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 2000
CHOOSE_AGAIN = "Choose the files again: a browser cannot keep chosen files after the page reloads."


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "a PDF document", "application/pdf", (".pdf",))
DOCX = FileKind(
    "docx", "a Word document (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
)
XLSX = FileKind(
    "xlsx", "an Excel workbook (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
ODT = FileKind("odt", "an OpenDocument text (.odt)", "application/vnd.oasis.opendocument.text", (".odt",))
TXT = FileKind("txt", "a plain text file", "text/plain; charset=utf-8", (".txt",))
TXT_UTF16 = FileKind("txt", "a plain text file", "text/plain; charset=utf-16", (".txt",))
# What Notepad and older agency software save as "ANSI" on U.S. Windows.
TXT_WINDOWS_1252 = FileKind("txt", "a plain text file", "text/plain; charset=windows-1252", (".txt",))
PNG = FileKind("png", "a PNG image", "image/png", (".png",))
JPEG = FileKind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg"))
ALLOWED_KINDS = (PDF, DOCX, XLSX, ODT, TXT, PNG, JPEG)
ALLOWED_EXTENSIONS = tuple(extension for kind in ALLOWED_KINDS for extension in kind.extensions)
ALLOWED_DESCRIPTION = "PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), plain text (.txt), PNG or JPEG"
# What the file input offers in the browser's picker (a convenience; the server decides).
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


class AttachmentError(ValidationError):
    """One or more files cannot be attached; nothing was stored. Messages name each file."""


class NotAllowed(Exception):
    """The bytes are not a kind Comity accepts; the message says what they look like."""


@dataclass(frozen=True)
class ValidatedUpload:
    """An upload that passed every check: `kind` was decided from its content."""

    file: File
    name: str
    kind: FileKind
    size: int

    @property
    def content_type(self) -> str:
        return self.kind.content_type


# --- What a file really is ------------------------------------------------------------------


def detect_kind(file) -> FileKind:
    """The kind of `file`, from its bytes alone. Raises NotAllowed with what it looks like."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if not head:
        raise NotAllowed("an empty file")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return _image_kind(file)
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    text_kind = _text_kind(file, head)
    if text_kind is not None:
        return text_kind
    raise NotAllowed(_describe(head))


def _image_kind(file) -> FileKind:
    try:
        with Image.open(file, formats=("PNG", "JPEG")) as probe:
            image_format = probe.format
            probe.verify()
    except Exception:  # any failure to parse untrusted bytes means "not a usable picture"
        raise NotAllowed("a damaged or incomplete picture") from None
    finally:
        file.seek(0)
    return PNG if image_format == "PNG" else JPEG


def _office_kind(file) -> FileKind:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise NotAllowed("a damaged ZIP archive") from None
    try:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise NotAllowed(f"an archive of {len(members):,} files, more than a document holds")
        names = [member.filename for member in members]
        if len(set(names)) != len(names):
            raise NotAllowed("an archive with duplicate entries")
        if any(_unsafe_member_name(name) for name in names):
            raise NotAllowed("an archive with unsafe file paths")
        if any(member.flag_bits & 0x1 for member in members):
            raise NotAllowed("an encrypted (password-protected) archive")
        uncompressed = sum(member.file_size for member in members)
        compressed = sum(member.compress_size for member in members)
        if uncompressed > ZIP_MAX_UNCOMPRESSED_BYTES or uncompressed > ZIP_MAX_RATIO * max(compressed, 1):
            raise NotAllowed("a compressed archive that would unpack to far more than its size (a “zip bomb”)")
        name_set = set(names)
        lower_names = {name.lower() for name in names}
        if "[Content_Types].xml" in name_set and "word/document.xml" in name_set:
            kind = DOCX
        elif "[Content_Types].xml" in name_set and "xl/workbook.xml" in name_set:
            kind = XLSX
        elif "mimetype" in name_set and _read_member(archive, "mimetype", len(ODT_MIMETYPE) + 1) == ODT_MIMETYPE:
            kind = ODT
        else:
            raise NotAllowed("a ZIP archive that is not a Word, Excel or OpenDocument text file")
        # Macros run code when the reader opens the file; a plain .docx/.xlsx/.odt has none.
        if any(name.endswith("vbaproject.bin") or name.startswith(("basic/", "scripts/")) for name in lower_names):
            raise NotAllowed(f"{kind.label} with macros")
        return kind
    finally:
        archive.close()
        file.seek(0)


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return b""


def _unsafe_member_name(name: str) -> bool:
    if "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name).parts


# Control characters that plain text does have: tab, line feed, form feed, carriage return.
TEXT_CONTROLS = {"\t", "\n", "\f", "\r"}


def _text_kind(file, head: bytes) -> FileKind | None:
    """UTF-8 (with or without a BOM) or UTF-16 with a BOM, with no NUL characters; or
    Windows-1252 with no control characters either (any bytes decode as a single-byte
    encoding, but binary data gives itself away with controls and unused bytes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            return None
        encoding = "utf-8"
    raw = file.read()
    file.seek(0)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return _windows_1252_kind(raw) if encoding == "utf-8" else None
    if "\x00" in text:
        return None
    return TXT_UTF16 if encoding == "utf-16" else TXT


def _windows_1252_kind(raw: bytes) -> FileKind | None:
    try:
        text = raw.decode("cp1252")  # strict: its five unused bytes fail
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in TEXT_CONTROLS for ch in text):
        return None
    return TXT_WINDOWS_1252


def _describe(head: bytes) -> str:
    if head.startswith(b"MZ"):
        return "a Windows program"
    if head.startswith(b"\x7fELF"):
        return "a Linux program"
    if head.startswith((b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")):
        return "a Mac program"
    guess = filetype.guess(head)
    if guess is not None:
        return f"a {guess.extension.upper()} file ({guess.mime})"
    return "a kind of file Comity does not accept"


# --- Checks on an upload ---------------------------------------------------------------------


def clean_file_name(name: str, kind: FileKind | None = None) -> str:
    """The uploader's file name as data: no folders, no control characters, at most 200
    characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        name = "attachment" + (kind.extensions[0] if kind else "")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:20]
        name = (stem[: 199 - len(extension)] + "." + extension) if dot else name[:200]
    return name


def extension_of(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def validate_upload(upload) -> ValidatedUpload:
    """Check one file; raises AttachmentError with one message that names the file."""
    name = clean_file_name(getattr(upload, "name", ""))
    max_bytes = settings.FORUM_ATTACHMENT_MAX_BYTES
    size = upload.size if getattr(upload, "size", None) is not None else len(upload.read())
    if size > max_bytes:
        size_text, limit_text = filesizeformat(size), filesizeformat(max_bytes)
        if size_text == limit_text:  # just over the limit: "1.0 MB; at most 1.0 MB" would puzzle
            size_text = f"{size:,} bytes"
        raise AttachmentError(
            f"“{name}” is too large ({size_text}); files can be at most {limit_text}. "
            "Attach a smaller file, or split it.",
            code="too_large",
        )
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise AttachmentError(
            f"“{name}” cannot be attached: Comity accepts {ALLOWED_DESCRIPTION} files.", code="extension_not_allowed"
        )
    try:
        kind = detect_kind(upload)
    except NotAllowed as refused:
        raise AttachmentError(
            f"“{name}” cannot be attached: it is {refused}. Comity accepts {ALLOWED_DESCRIPTION} files.",
            code="content_not_allowed",
        ) from None
    if extension not in kind.extensions:
        raise AttachmentError(
            f"“{name}” is really {kind.label}, not {_kind_for_extension(extension).label}. "
            f"Rename it to end in {kind.extensions[0]} and attach it again.",
            code="extension_mismatch",
        )
    return ValidatedUpload(file=upload, name=name, kind=kind, size=size)


def _kind_for_extension(extension: str) -> FileKind:
    return next(kind for kind in ALLOWED_KINDS if extension in kind.extensions)


def validate_uploads(files, *, already_attached: int = 0) -> list[ValidatedUpload]:
    """Check every file before anything is written. Raises AttachmentError keyed on the
    form field `attachments`, with one message per refused file (and the count limit)."""
    files = [upload for upload in files if upload]
    if len(files) + already_attached > MAX_FILES_PER_POST:
        room = MAX_FILES_PER_POST - already_attached
        raise AttachmentError(
            {
                "attachments": f"A post can have at most {MAX_FILES_PER_POST} files; you chose {len(files)}"
                + (f" and the post already has {already_attached}" if already_attached else "")
                + f". Choose at most {max(room, 0)}. {CHOOSE_AGAIN}"
            },
            code="too_many_files",
        )
    validated, messages = [], []
    for upload in files:
        if isinstance(upload, ValidatedUpload):
            validated.append(upload)
            continue
        try:
            validated.append(validate_upload(upload))
        except AttachmentError as error:
            messages.extend(error.messages)
    if messages:
        raise AttachmentError({"attachments": [*messages, CHOOSE_AGAIN]}, code="invalid_attachment")
    return validated


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """A form field for up to five attachments (input name `attachments`); cleans to a list of
    ValidatedUpload, so the view can create the post and then call `attach_files`."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attach files")
        kwargs.setdefault(
            "help_text",
            f"Optional. Up to {MAX_FILES_PER_POST} files: {ALLOWED_DESCRIPTION}, "
            f"each at most {filesizeformat(settings.FORUM_ATTACHMENT_MAX_BYTES)}. "
            "Remove case details such as names, case numbers and Social Security numbers first.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ACCEPT_ATTRIBUTE})

    def to_python(self, data):
        return data  # a list of uploads; each is checked in clean()

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        if self.required and not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            return validate_uploads(uploads)
        except AttachmentError as error:
            raise forms.ValidationError(error.message_dict["attachments"]) from None

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        return bool(data)


# --- Services ----------------------------------------------------------------------------------


def can_attach(user, post: Post) -> bool:
    """The post's author, or a moderator of its category, may add files to it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return post.author_id == user.pk or permissions.can_moderate(user, post.topic.category.association)


def attach_files(post: Post, files, *, by) -> list[Attachment]:
    """Attach files to `post`: every file is checked first, then all are stored or none.
    `files` may be ValidatedUploads (from validate_uploads, before the post was created)
    or raw uploads, which are checked here."""
    post = Post.objects.select_related("topic__category__association").get(pk=post.pk)
    if not can_attach(by, post):
        raise PermissionDenied("You cannot attach files to this post.")
    files = [upload for upload in files if upload]
    if not files:
        return []
    with transaction.atomic():
        # Lock the post so two submissions cannot both squeeze under the per-post limit.
        Post.objects.select_for_update().filter(pk=post.pk).exists()
        validated = validate_uploads(files, already_attached=_current_count(post))
        attachments = _store(post, validated, by=by)
        emit("attachments_added", post_id=post.pk, topic_id=post.topic_id, attachment_ids=[a.pk for a in attachments])
        _extract_after_commit(attachments)
    return attachments


def _extract_after_commit(attachments: list[Attachment]) -> None:
    """Read each file's text in the background once the upload commits (forum/tasks.py):
    for search, and for the confidential-data guard, which quarantines a file with findings."""
    from forum.tasks import enqueue_extraction

    enqueue_extraction([attachment.pk for attachment in attachments])


def _current_count(post: Post) -> int:
    # Earlier versions of a procedure document do not count against the per-post limit.
    return post.attachments.filter(superseded_by__isnull=True).count()


def _store(post: Post, validated: list[ValidatedUpload], *, by, supersedes: Attachment | None = None) -> list[Attachment]:
    """Write files to private storage and their rows; on any failure remove what was written."""
    stored: list[Attachment] = []
    try:
        for upload in validated:
            attachment = Attachment(
                post=post, original_name=upload.name, content_type=upload.content_type, size=upload.size,
                uploaded_by=by, supersedes=supersedes,
            )
            upload.file.seek(0)
            content = upload.file if isinstance(upload.file, File) else File(upload.file, name=upload.name)
            attachment.file.save(upload.name, content, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            _delete_stored_file(attachment)
        raise
    return stored


def _delete_stored_file(attachment: Attachment) -> None:
    try:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
    except OSError:
        logger.exception("could not remove stored attachment file %s", attachment.file.name)


def add_procedure_version(topic: Topic, upload, *, by) -> Attachment:
    """A new version of a shared procedure's document: attached to the opening post, it
    supersedes the current document (the newest file not yet superseded)."""
    if topic.kind != Topic.Kind.PROCEDURE:
        raise AttachmentError("Only shared procedures have document versions.", code="not_a_procedure")
    opening_post = Post.objects.select_related("topic__category__association").get(topic=topic, position=1)
    if not can_attach(by, opening_post):
        raise PermissionDenied("Only the procedure's author or a moderator can add a new version.")
    with transaction.atomic():
        Post.objects.select_for_update().filter(pk=opening_post.pk).exists()
        (validated,) = validate_uploads([upload])
        current = current_document(topic)
        (attachment,) = _store(opening_post, [validated], by=by, supersedes=current)
        emit(
            "procedure_version_added", topic_id=topic.pk, post_id=opening_post.pk, attachment_id=attachment.pk,
            supersedes_id=current.pk if current else None,
        )
        _extract_after_commit([attachment])
    return attachment


# --- Selectors ---------------------------------------------------------------------------------


def attachments_prefetch() -> Prefetch:
    """For a topic page's posts: `posts.prefetch_related(attachments_prefetch())` loads every
    post's attachments (and whether each was superseded) in one query, oldest first, for
    templates/forum/includes/attachments.html (which takes the last as a procedure's current
    document)."""
    return Prefetch(
        "attachments", queryset=Attachment.objects.select_related("superseded_by", "uploaded_by").order_by("uploaded_at", "pk")
    )


def current_document(topic: Topic) -> Attachment | None:
    """A procedure's current document: the opening post's newest file not yet superseded."""
    return (
        Attachment.objects.filter(post__topic=topic, post__position=1, superseded_by__isnull=True)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def earlier_versions(topic: Topic) -> list[Attachment]:
    """The versions the current document replaced, newest first."""
    current = current_document(topic)
    if current is None:
        return []
    by_pk = {
        attachment.pk: attachment
        for attachment in Attachment.objects.filter(post__topic=topic, post__position=1, superseded_by__isnull=False)
    }
    versions, seen = [], set()
    previous_pk = current.supersedes_id
    while previous_pk in by_pk and previous_pk not in seen:
        seen.add(previous_pk)
        versions.append(by_pk[previous_pk])
        previous_pk = by_pk[previous_pk].supersedes_id
    return versions


def visible_attachment(user, pk: int) -> Attachment:
    """The attachment, if `user` may see its topic and its post; else Attachment.DoesNotExist
    (the view answers 404 either way, so nobody learns what exists). One query, besides the
    viewer's permissions unless a ForumViewer is passed.

    A file the confidential-data guard has not checked yet, or quarantined, opens only for
    its uploader and the category's moderators (until the check passes or a moderator clears
    it); a removed one (its file is deleted) opens for nobody."""
    viewer = ForumViewer.of(user)
    visible_posts = Post.objects.filter(viewer.post_filter(), topic__in=viewer.topics())
    attachment = Attachment.objects.select_related("post__topic__category__association").get(pk=pk, post__in=visible_posts)
    if attachment.review_status == Attachment.Review.REMOVED:
        raise Attachment.DoesNotExist("This attachment was removed by a moderator.")
    if attachment.withheld and not can_open_quarantined(user, attachment):
        raise Attachment.DoesNotExist("This attachment is being checked or waiting for a moderator's review.")
    return attachment


def can_open_quarantined(user, attachment: Attachment) -> bool:
    """The uploader, or a moderator of the attachment's category (the topic is loaded with it)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return attachment.uploaded_by_id == user.pk or permissions.can_moderate(
        user, attachment.post.topic.category.association
    )
