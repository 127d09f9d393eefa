"""Attachments: content-based type checks, limits, all-or-nothing storage, procedure versions,
the download view's permission matrix and its headers, and the attachments partial."""

import io
import os
import struct
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from PIL import Image

from forum import attachments as attachment_services
from forum.attachments import (
    AttachmentError,
    AttachmentsField,
    ValidatedUpload,
    add_procedure_version,
    attach_files,
    attachments_prefetch,
    current_document,
    earlier_versions,
    validate_uploads,
)
from forum.extraction import samples
from forum.models import Attachment, Category, Post, Topic, Visibility
from members.models import Membership, Role
from members.services import lapse_membership
from tests.factories import UserFactory, association_with_groups, member_of, staff_decider
from tests.forum.factories import CategoryFactory, checked, make_reply, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.usefixtures("private_storage")]

OFFICE_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


# --- Real files, built here ---------------------------------------------------------------------


def pdf_bytes(text: str = "Transmittal #1 checklist") -> bytes:
    """A small but complete PDF: one page of text."""
    return samples.pdf_bytes([text])


def zip_bytes(members: dict[str, bytes | str], *, stored_first: str | None = None) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return output.getvalue()


def docx_members() -> dict[str, str]:
    return {
        "[Content_Types].xml": OFFICE_CONTENT_TYPES,
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Registering an order for enforcement only'
        "</w:t></w:r></w:p></w:body></w:document>",
    }


def docx_bytes() -> bytes:
    return zip_bytes(docx_members())


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["State", "Registration fee"])
    sheet.append(["MO", 0])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def odt_bytes() -> bytes:
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>',
            "content.xml": '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0"><office:body><office:text>NMSN steps</office:text></office:body>'
            "</office:document-content>",
        },
        stored_first="mimetype",
    )


def image_bytes(image_format: str) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), color=(20, 90, 160)).save(output, format=image_format)
    return output.getvalue()


def encrypted(archive: bytes) -> bytes:
    """Set the "encrypted" flag on every entry (zipfile cannot write encrypted archives)."""
    data = bytearray(archive)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", data, start + flag_offset)
            struct.pack_into("<H", data, start + flag_offset, flags | 0x1)
            start += 4
    return bytes(data)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The browser's content type is deliberately wrong or generic: only the bytes count.
    return SimpleUploadedFile(name, content, content_type=content_type)


WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
)
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def association():
    return association_with_groups()


@pytest.fixture
def member(association):
    return member_of(association)


@pytest.fixture
def members_category(association):
    return CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS)


def stored_files(storage) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(storage.location) for name in names]


# --- What is accepted --------------------------------------------------------------------------------


ACCEPTED = [
    ("Transmittal checklist.pdf", pdf_bytes, "application/pdf"),
    ("Registration steps.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Fee table.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("NMSN steps.odt", odt_bytes, "application/vnd.oasis.opendocument.text"),
    ("Notes.txt", lambda: "UIFSA § 605 notice: 20 days to contest.\n".encode(), "text/plain; charset=utf-8"),
    ("Notes (Windows).txt", lambda: "Contest within 20 days.\r\n".encode("utf-16"), "text/plain; charset=utf-16"),
    # Notepad's "ANSI": curly quotes, a section sign and an accented name in Windows-1252.
    ("Notes (ANSI).txt", lambda: "“Café Muñoz” – § 605 notice.\r\n\tContest within 20 days.\f".encode("cp1252"),
     "text/plain; charset=windows-1252"),
    ("Latin-1 notes.txt", lambda: "Café order".encode("latin-1"), "text/plain; charset=windows-1252"),
    ("Screen.png", lambda: image_bytes("PNG"), "image/png"),
    ("Scan.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("Scan.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
]


@pytest.mark.parametrize(("name", "build", "content_type"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_each_allowed_type_is_accepted_by_its_content(name, build, content_type):
    (validated,) = validate_uploads([upload(name, build(), content_type="text/html")])
    assert validated.content_type == content_type
    assert validated.name == name


def test_html_in_a_txt_file_is_accepted_as_plain_text():
    (validated,) = validate_uploads([upload("payload.txt", b"<script>alert(1)</script>", "text/html")])
    assert validated.content_type == "text/plain; charset=utf-8"


def test_uploader_file_name_is_kept_only_as_clean_data():
    (validated,) = validate_uploads([upload("..\\..\\C:\\evil\\Order\x07 summary.pdf", pdf_bytes())])
    assert validated.name == "Order summary.pdf"


# --- What is refused, and why -------------------------------------------------------------------------


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(AttachmentError) as caught:
        validate_uploads([upload(name, content)])
    return " ".join(caught.value.message_dict["attachments"])


def zip_bomb_by_ratio() -> bytes:
    return zip_bytes({**docx_members(), "word/media/padding.bin": b"\x00" * (5 * 1024 * 1024)})


def zip_bomb_by_size() -> bytes:
    return zip_bytes({**docx_members(), "word/media/huge.bin": b"A" * (51 * 1024 * 1024)})


def zip_with_too_many_members() -> bytes:
    return zip_bytes({**docx_members(), **{f"word/parts/{number}.xml": "<x/>" for number in range(2001)}})


REFUSED = [
    ("text renamed .pdf", "notes.pdf", lambda: b"Plain notes about a hearing.\n", "really a plain text file"),
    ("PDF named .docx", "procedure.docx", pdf_bytes, "really a PDF document"),
    ("PNG named .jpg", "photo.jpg", lambda: image_bytes("PNG"), "really a PNG image"),
    ("XLSX named .docx", "fees.docx", xlsx_bytes, "really an Excel workbook"),
    ("Windows program named .pdf", "order.pdf", lambda: WINDOWS_PROGRAM, "it is a Windows program"),
    ("Linux program named .pdf", "order.pdf", lambda: LINUX_PROGRAM, "it is a Linux program"),
    ("GIF named .png", "chart.png", lambda: image_bytes("GIF"), "GIF"),
    ("zip bomb (ratio)", "steps.docx", zip_bomb_by_ratio, "zip bomb"),
    ("zip bomb (size)", "steps.docx", zip_bomb_by_size, "zip bomb"),
    ("too many members", "steps.docx", zip_with_too_many_members, "more than a document holds"),
    ("encrypted zip", "steps.docx", lambda: encrypted(docx_bytes()), "encrypted"),
    ("path traversal", "steps.docx", lambda: zip_bytes({**docx_members(), "../../etc/cron.d/x": "boom"}), "unsafe"),
    ("absolute path", "steps.docx", lambda: zip_bytes({**docx_members(), "/tmp/x": "boom"}), "unsafe"),
    ("plain zip named .docx", "steps.docx", lambda: zip_bytes({"a.txt": "hello"}), "not a Word, Excel"),
    ("damaged zip", "steps.docx", lambda: docx_bytes()[:200], "damaged"),
    (
        "macro-enabled .docm named .docx", "steps.docx",
        lambda: zip_bytes({**docx_members(), "word/vbaProject.bin": b"\x01" * 64}), "macros",
    ),
    (
        "ODT with wrong mimetype", "steps.odt",
        lambda: zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
        "not a Word, Excel",
    ),
    ("damaged PNG", "screen.png", lambda: image_bytes("PNG")[:40], "damaged or incomplete picture"),
    # Bytes that are not UTF-8 are read as Windows-1252 only when they hold no control characters
    # and none of its five unused bytes: binary data gives itself away with both.
    ("binary in a .txt (controls)", "notes.txt", lambda: b"\x1b\x02\xfe\x83\x11 data \xe9", "Comity accepts"),
    ("binary in a .txt (unused byte)", "notes.txt", lambda: b"Caf\xe9 \x81\x8d order", "Comity accepts"),
    ("text with NUL bytes", "notes.txt", lambda: b"abc\x00def", "Comity accepts"),
    ("empty file", "notes.txt", lambda: b"", "empty"),
    ("HTML extension", "page.html", lambda: b"<p>hello</p>", "Comity accepts PDF"),
    ("EXE extension", "setup.exe", lambda: WINDOWS_PROGRAM, "Comity accepts PDF"),
    ("no extension", "README", lambda: b"hello", "Comity accepts PDF"),
]


@pytest.mark.parametrize(("name", "build", "expected"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_files_that_are_not_what_they_claim_are_refused_with_a_reason(name, build, expected):
    message = refusal(name, build())
    assert expected in message
    assert f"“{name}”" in message
    assert "Choose the files again" in message


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.FORUM_ATTACHMENT_MAX_BYTES = 1024 * 1024
    message = refusal("big.txt", b"a" * (1024 * 1024 + 1)).replace("\xa0", " ")
    assert "“big.txt” is too large (1,048,577 bytes); files can be at most 1.0 MB." in message
    message = refusal("bigger.txt", b"a" * (3 * 1024 * 1024)).replace("\xa0", " ")
    assert "“bigger.txt” is too large (3.0 MB); files can be at most 1.0 MB." in message


def test_at_most_five_files_per_post():
    files = [upload(f"notes-{number}.txt", b"Case notes") for number in range(6)]
    with pytest.raises(AttachmentError) as caught:
        validate_uploads(files)
    assert "at most 5 files; you chose 6" in caught.value.message_dict["attachments"][0]
    assert len(validate_uploads(files[:5])) == 5


def test_each_refused_file_gets_its_own_message():
    with pytest.raises(AttachmentError) as caught:
        validate_uploads([upload("a.pdf", b"text"), upload("ok.txt", b"fine"), upload("b.exe", WINDOWS_PROGRAM)])
    messages = caught.value.message_dict["attachments"]
    assert any("“a.pdf”" in message for message in messages)
    assert any("“b.exe”" in message for message in messages)
    assert not any("ok.txt" in message for message in messages)


# --- Storing files -----------------------------------------------------------------------------------


def test_post_text_is_not_lost_when_an_upload_is_refused(member, members_category):
    """Posting views validate before they create: a refused file means no post yet, and the
    form still holds what the member typed."""

    class ReplyForm(forms.Form):
        body = forms.CharField(widget=forms.Textarea)
        attachments = AttachmentsField()

    body = "Missouri registers with the Transmittal #1 and a certified copy of the order."
    form = ReplyForm(
        data={"body": body},
        files=MultiValueDict({"attachments": [upload("order.pdf", WINDOWS_PROGRAM), upload("notes.txt", b"ok")]}),
    )
    assert not form.is_valid()
    html = str(form)
    assert body in html
    assert "it is a Windows program" in html
    assert 'aria-describedby="id_attachments_helptext id_attachments_error"' in html
    assert "multiple" in html and 'accept=".pdf,.docx,.xlsx,.odt,.txt,.png,.jpg,.jpeg"' in html

    # The service-level order a posting view follows: validate, then create, then attach.
    with pytest.raises(AttachmentError):
        validate_uploads([upload("order.pdf", WINDOWS_PROGRAM)])
    assert not Topic.objects.exists()

    good = ReplyForm(data={"body": body}, files=MultiValueDict({"attachments": [upload("steps.docx", docx_bytes())]}))
    assert good.is_valid(), good.errors
    topic = make_topic(member, members_category, kind="procedure", body=body)
    (attachment,) = attach_files(topic.posts.get(position=1), good.cleaned_data["attachments"], by=member)
    assert attachment.original_name == "steps.docx"


def test_attach_files_stores_privately_under_a_random_name(member, members_category, private_storage):
    topic = make_topic(member, members_category)
    post = topic.posts.get()
    stored = attach_files(post, validate_uploads([upload("Fee table.xlsx", xlsx_bytes())]), by=member)
    (attachment,) = stored
    assert attachment.file.storage is private_storage
    assert "Fee table" not in attachment.file.name
    assert attachment.size == len(xlsx_bytes()) or attachment.size > 0
    with attachment.file.open("rb") as handle:
        assert handle.read(4) == b"PK\x03\x04"
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    assert attachment.uploaded_by == member


def test_attach_files_checks_raw_uploads_too_and_stores_nothing_when_one_fails(member, members_category, private_storage):
    post = make_topic(member, members_category).posts.get()
    with pytest.raises(AttachmentError):
        attach_files(post, [upload("a.pdf", pdf_bytes()), upload("b.pdf", b"not a pdf")], by=member)
    assert not Attachment.objects.exists()
    assert stored_files(private_storage) == []


def test_a_storage_failure_midway_removes_what_was_written(member, members_category, private_storage, monkeypatch):
    post = make_topic(member, members_category).posts.get()
    validated = validate_uploads([upload("a.pdf", pdf_bytes()), upload("b.txt", b"notes")])
    real_save = private_storage._save
    calls = []

    def failing_save(name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content)

    monkeypatch.setattr(private_storage, "_save", failing_save)
    with pytest.raises(OSError):
        attach_files(post, validated, by=member)
    assert not Attachment.objects.exists()
    assert stored_files(private_storage) == []


def test_only_the_author_or_a_moderator_may_attach(association, member, members_category):
    post = make_topic(member, members_category).posts.get()
    other_member = member_of(association)
    with pytest.raises(PermissionDenied):
        attach_files(post, [upload("a.txt", b"notes")], by=other_member)
    moderator = member_of(association, Role.MODERATOR)
    assert len(attach_files(post, [upload("a.txt", b"notes")], by=moderator)) == 1


def test_the_five_file_limit_counts_files_already_on_the_post(member, members_category):
    post = make_topic(member, members_category).posts.get()
    attach_files(post, [upload(f"n{number}.txt", b"notes") for number in range(4)], by=member)
    with pytest.raises(AttachmentError) as caught:
        attach_files(post, [upload("n5.txt", b"notes"), upload("n6.txt", b"notes")], by=member)
    assert "already has 4" in caught.value.message_dict["attachments"][0]
    assert post.attachments.count() == 4


# --- Procedure versions --------------------------------------------------------------------------------


def test_procedure_versions_supersede_the_current_document(association, member, members_category):
    topic = make_topic(member, members_category, kind="procedure", title="Registering an order: our steps")
    opening = topic.posts.get(position=1)
    (first,) = attach_files(opening, [upload("steps v1.pdf", pdf_bytes("v1"))], by=member)
    assert current_document(topic) == first
    assert earlier_versions(topic) == []

    second = add_procedure_version(topic, upload("steps v2.pdf", pdf_bytes("v2")), by=member)
    moderator = member_of(association, Role.MODERATOR)
    third = add_procedure_version(topic, upload("steps v3.docx", docx_bytes()), by=moderator)

    assert current_document(topic) == third
    assert earlier_versions(topic) == [second, first]
    assert third.supersedes == second and second.supersedes == first
    assert third.post == opening

    with pytest.raises(PermissionDenied):
        add_procedure_version(topic, upload("steps v4.pdf", pdf_bytes()), by=member_of(association))
    with pytest.raises(AttachmentError):
        add_procedure_version(topic, upload("steps v4.pdf", b"text, not a PDF"), by=member)
    assert current_document(topic) == third


def test_only_procedures_have_versions(member, members_category):
    topic = make_topic(member, members_category, kind="question")
    with pytest.raises(AttachmentError):
        add_procedure_version(topic, upload("steps.pdf", pdf_bytes()), by=member)


def test_versions_do_not_count_against_the_file_limit(member, members_category):
    topic = make_topic(member, members_category, kind="procedure")
    attach_files(topic.posts.get(), [upload(f"f{number}.txt", b"notes") for number in range(5)], by=member)
    for number in range(3):
        add_procedure_version(topic, upload(f"v{number}.txt", b"new notes"), by=member)
    assert len(earlier_versions(topic)) == 3


def posts_with_attachments(topic):
    return list(Post.objects.filter(topic=topic).select_related("topic").prefetch_related(attachments_prefetch()))


def test_the_partial_shows_the_current_document_and_earlier_versions(member, members_category):
    topic = make_topic(member, members_category, kind="procedure")
    opening = topic.posts.get()
    attach_files(opening, [upload("Steps 2024.pdf", pdf_bytes())], by=member)
    add_procedure_version(topic, upload("Steps 2025.pdf", pdf_bytes()), by=member)
    newest = add_procedure_version(topic, upload("Steps <2026>.pdf", pdf_bytes()), by=member)
    checked(*Attachment.objects.filter(post__topic=topic))
    (post,) = posts_with_attachments(topic)

    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("forum/includes/attachments.html", {"post": post})
    assert len(queries) == 0
    assert "Procedure document" in html
    current_part, earlier_part = html.split("Earlier versions")
    assert reverse("forum:attachment", args=[newest.pk]) in current_part
    assert "Steps &lt;2026&gt;.pdf" in current_part and "current version" in current_part
    assert earlier_part.index("Steps 2025.pdf") < earlier_part.index("Steps 2024.pdf")


def test_the_partial_lists_a_replys_files(member, members_category):
    topic = make_topic(member, members_category)
    reply = make_reply(member, topic)
    checked(*attach_files(reply, [upload("a.txt", b"one"), upload("b.png", image_bytes("PNG"))], by=member))
    posts = posts_with_attachments(topic)
    html = render_to_string("forum/includes/attachments.html", {"post": posts[1]})
    assert "Attached files" in html and "a.txt" in html and "b.png" in html
    assert render_to_string("forum/includes/attachments.html", {"post": posts[0]}).strip() == ""


# --- Downloads ---------------------------------------------------------------------------------


@pytest.fixture
def world(association, member, members_category):
    """A members-only topic with a file on its opening post and on a later-hidden reply,
    a held topic's file, and a public category's file."""
    moderator = member_of(association, Role.MODERATOR)
    topic = make_topic(member, members_category, kind="procedure")
    (opening_file,) = attach_files(topic.posts.get(position=1), [upload("Steps.pdf", pdf_bytes())], by=member)
    reply = make_reply(member, topic)
    (hidden_file,) = attach_files(reply, [upload("Case notes.txt", b"Confidential case data")], by=member)
    Post.objects.filter(pk=reply.pk).update(status=Visibility.HIDDEN)

    holding = CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS, hold_first_posts=5)
    newcomer = member_of(association)
    held_topic = make_topic(newcomer, holding)
    assert held_topic.status == Visibility.HELD
    (held_file,) = attach_files(held_topic.posts.get(), [upload("Draft.txt", b"draft")], by=newcomer)

    public = CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC)
    public_topic = make_topic(member, public)
    (public_file,) = attach_files(public_topic.posts.get(), [upload("Public.png", image_bytes("PNG"))], by=member)

    checked(opening_file, hidden_file, held_file, public_file)
    lapsed = member_of(association)
    lapse_membership(Membership.objects.get(user=lapsed, association=association), by=staff_decider(), reason="Dues.")
    return {
        "users": {
            "anonymous": None, "outsider": UserFactory(), "lapsed": lapsed, "member": member,
            "newcomer": newcomer, "moderator": moderator, "other association's moderator": member_of(
                association_with_groups(), Role.MODERATOR
            ),
        },
        "files": {"opening": opening_file, "hidden": hidden_file, "held": held_file, "public": public_file},
    }


# Who gets the file (200) and who a 404, per file.
DOWNLOAD_MATRIX = {
    "opening": {"member", "newcomer", "moderator"},
    "hidden": {"moderator"},
    "held": {"newcomer", "moderator"},
    "public": {"anonymous", "outsider", "lapsed", "member", "newcomer", "moderator", "other association's moderator"},
}


def download(client, user, attachment):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("forum:attachment", args=[attachment.pk]))


def test_download_permission_matrix(client, world):
    outcomes = {}
    for file_key, attachment in world["files"].items():
        for user_key, user in world["users"].items():
            response = download(client, user, attachment)
            outcomes[(file_key, user_key)] = response.status_code
            if response.status_code == 200:
                b"".join(response.streaming_content)
    expected = {
        (file_key, user_key): 200 if user_key in DOWNLOAD_MATRIX[file_key] else 404
        for file_key in world["files"]
        for user_key in world["users"]
    }
    assert outcomes == expected


def test_unknown_attachment_and_other_methods(client, world, member):
    client.force_login(member)
    assert client.get(reverse("forum:attachment", args=[999_999])).status_code == 404
    assert client.post(reverse("forum:attachment", args=[world["files"]["opening"].pk])).status_code == 405


def test_a_file_missing_from_storage_is_a_404_not_a_500(client, world, member, private_storage):
    attachment = world["files"]["opening"]
    private_storage.delete(attachment.file.name)
    client.force_login(member)
    assert download(client, member, attachment).status_code == 404


def test_download_headers(client, member, members_category):
    post = make_topic(member, members_category).posts.get()
    content = pdf_bytes()
    (attachment,) = attach_files(post, [upload("Procédure d’enregistrement \"final\".pdf", content)], by=member)
    response = download(client, member, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    name = "Procédure d’enregistrement \"final\".pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Proc_dure d_enregistrement _final_.pdf\"; "
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, no-store"


def test_html_in_a_text_file_is_served_as_an_inert_download(client, member, association):
    public = CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC)
    post = make_topic(member, public).posts.get()
    (attachment,) = checked(*attach_files(post, [upload("payload.txt", b"<script>alert(document.cookie)</script>")],
                                          by=member))
    response = download(client, None, attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, max-age=300"


def test_earlier_versions_stay_downloadable(client, member, members_category):
    topic = make_topic(member, members_category, kind="procedure")
    (first,) = attach_files(topic.posts.get(), [upload("v1.pdf", pdf_bytes("v1"))], by=member)
    add_procedure_version(topic, upload("v2.pdf", pdf_bytes("v2")), by=member)
    response = download(client, member, first)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("v1")


def test_detect_kind_leaves_the_file_at_its_start():
    content = docx_bytes()
    file = upload("steps.docx", content)
    assert attachment_services.detect_kind(file).key == "docx"
    assert file.read() == content


def test_validated_upload_passes_through_validation_unchanged():
    validated = validate_uploads([upload("a.txt", b"notes")])[0]
    assert isinstance(validated, ValidatedUpload)
    assert validate_uploads([validated]) == [validated]


def test_the_upload_partial_renders_the_form_field_or_a_plain_input():
    class TopicForm(forms.Form):
        attachments = AttachmentsField()

    form = TopicForm(data={}, files=MultiValueDict({"attachments": [upload("a.exe", WINDOWS_PROGRAM)]}))
    assert not form.is_valid()
    html = render_to_string("forum/includes/attachment_upload.html", {"form": form})
    assert '<label class="usa-label usa-label--error" for="id_attachments">Attach files' in html
    assert 'name="attachments"' in html and "multiple" in html
    assert "Comity accepts PDF" in html and 'aria-invalid="true"' in html

    plain = render_to_string(
        "forum/includes/attachment_upload.html",
        {"attachment_errors": ["“a.exe” cannot be attached."], "attachment_max_bytes": 10 * 1024 * 1024},
    )
    assert 'name="attachments"' in plain and "multiple" in plain
    assert 'aria-describedby="id_attachments_helptext id_attachments_error"' in plain
    assert "“a.exe” cannot be attached." in plain and "10.0\xa0MB" in plain
