"""Attachment text extraction (forum/extraction/, forum/tasks.py): each file type, from files
the tests generate; scans, passwords, damaged, mislabelled and hostile files; the limits on
pages, cells, text, time and memory; and the background task that stores the result, queues
search and never loses the post."""

import time

import pytest
from django.urls import reverse

from forum import extraction
from forum.attachments import add_procedure_version, attach_files
from forum.extraction import ExtractionResult, extract_text
from forum.models import Attachment, Category, GuardFinding, Post, Topic
from forum.tasks import extract_attachment_text, run_extraction, run_pending_extractions
from search.models import IndexOutboxEntry
from tests.factories import association_with_groups, member_of
from tests.forum import document_files as files
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.usefixtures("private_storage")]

DAMAGED = "The file looks damaged"


@pytest.fixture
def write(tmp_path):
    def write(name: str, content: bytes):
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def limits(settings):
    """Change one limit for a test: limits(MAX_PAGES=2)."""

    def change(**values):
        settings.FORUM_EXTRACTION_LIMITS = {**settings.FORUM_EXTRACTION_LIMITS, **values}

    return change


# --- Each kind of file ------------------------------------------------------------------------------


def test_a_pdf_gives_the_text_of_every_page(write):
    result = extract_text(write("a.pdf", files.pdf("Registering an order (UIFSA)", ["Page two", "second line"])), files.PDF)
    assert result.status == "done" and result.pages == 2 and not result.truncated and result.message == ""
    assert "Registering an order (UIFSA)" in result.text
    assert result.text.index("Page two") < result.text.index("second line")


def test_a_docx_gives_paragraphs_tables_and_headers_in_reading_order(write):
    content = files.docx_file("Income withholding steps", "Send the notice to the employer.",
                              table=[["Form", "When"], ["OMB 0970-0154", "Within two days"]], header="Agency procedure")
    result = extract_text(write("a.docx", content), files.DOCX)
    assert result.status == "done"
    for text in ("Income withholding steps", "Send the notice to the employer.", "OMB 0970-0154", "Within two days",
                 "Agency procedure"):
        assert text in result.text
    assert result.text.index("Income withholding") < result.text.index("OMB 0970-0154")


def test_an_odt_gives_its_text_with_spaces_tabs_and_line_breaks(write):
    body = ('<text:h>Medical support</text:h><text:p>One<text:s text:c="3"/>two<text:tab/>three<text:line-break/>'
            'four <text:span>inside a span</text:span> after</text:p>'
            "<table:table><table:table-row><table:table-cell><text:p>In a table cell</text:p></table:table-cell>"
            "</table:table-row></table:table>")
    result = extract_text(write("a.odt", files.odt_file(body)), files.ODT)
    assert result.status == "done"
    assert result.text.splitlines() == ["Medical support", "One   two\tthree", "four inside a span after", "In a table cell"]


def test_an_xlsx_gives_values_of_every_sheet(write):
    content = files.xlsx_file({"Fees": [["State", "Fee"], ["MO", 0], ["KS", 12.5]], "Contacts": [["Clerk", None, "Room 4"]]})
    result = extract_text(write("a.xlsx", content), files.XLSX)
    assert result.status == "done" and result.pages == 2
    assert result.text.splitlines() == ["Fees", "State\tFee", "MO\t0", "KS\t12.5", "", "Contacts", "Clerk\tRoom 4"]


@pytest.mark.parametrize(("encoding", "content_type"), [
    ("utf-8", files.TXT),
    ("utf-8-sig", files.TXT),
    ("utf-16", "text/plain; charset=utf-16"),  # with a BOM, as Windows Notepad writes it
    ("cp1252", "text/plain"),
    ("latin-1", "text/plain"),
])
def test_text_files_in_odd_encodings_are_decoded(write, encoding, content_type):
    text = "Café crème: the obligee’s déjà vu, naïve résumé, señor Muñoz, ½ of arrears." if encoding != "latin-1" else (
        "Café crème: the obligee's déjà vu, naïve résumé, señor Muñoz, ½ of arrears."
    )
    result = extract_text(write("a.txt", text.encode(encoding)), content_type)
    assert result.status == "done"
    assert result.text == text


def test_pictures_are_not_documents_and_start_no_process(write, monkeypatch):
    monkeypatch.setattr(extraction, "_run_worker", lambda *args, **kwargs: pytest.fail("no process for a picture"))
    result = extract_text(write("a.png", b"\x89PNG\r\n\x1a\n"), "image/png")
    assert result.status == "not_document" and result.text == ""


# --- Files without text, with passwords, damaged or mislabelled --------------------------------------


def test_a_scanned_pdf_is_flagged_as_no_text(write):
    result = extract_text(write("scan.pdf", files.scanned_pdf(3)), files.PDF)
    assert result == ExtractionResult(
        "no_text", "", "No text found — is this a scanned image? Search cannot read it.", pages=3
    )


def test_a_password_protected_pdf_fails_with_a_plain_message(write):
    result = extract_text(write("locked.pdf", files.encrypted_pdf("Secret procedure")), files.PDF)
    assert result.status == "failed" and result.text == ""
    assert result.message.startswith("The PDF is password-protected")


def test_a_pdf_with_only_an_owner_password_opens_like_any_other(write):
    # Printing/copying restrictions do not stop a reader from opening the file.
    result = extract_text(write("restricted.pdf", files.encrypted_pdf("Open to read", user_password="")), files.PDF)
    assert result.status == "done" and "Open to read" in result.text


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("truncated.pdf", files.pdf("Cut short")[:200], files.PDF),
    ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, files.PDF),
    ("garbage.docx", b"PK\x03\x04" + b"\x00\xff" * 500, files.DOCX),
    ("not-a-workbook.xlsx", files.docx_file("A Word document"), files.XLSX),  # mislabelled
    ("word-as-pdf.pdf", files.docx_file("A Word document"), files.PDF),  # mislabelled
    ("pdf-as-odt.odt", files.pdf("A PDF"), files.ODT),  # mislabelled
])
def test_damaged_or_mislabelled_files_fail_with_a_plain_message(write, name, content, content_type):
    result = extract_text(write(name, content), content_type)
    assert result.status == "failed" and result.text == ""
    assert result.message.startswith(DAMAGED)


@pytest.mark.parametrize("prolog", [
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',  # external entity
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',  # "billion laughs"
])
def test_xml_entities_are_refused_not_expanded(write, prolog):
    body = "<text:p>&xxe;</text:p>" if "xxe" in prolog else "<text:p>&c;</text:p>"
    result = extract_text(write("entities.odt", files.odt_file(body, prolog=prolog)), files.ODT)
    assert result.status == "failed" and "root:" not in result.text


def test_a_zip_bomb_is_refused_before_any_library_opens_it(write):
    path = write("bomb.docx", files.zip_bomb_docx(unpacked_mb=60))
    started = time.monotonic()
    result = extract_text(path, files.DOCX)
    assert result.status == "failed" and "zip bomb" in result.message
    assert time.monotonic() - started < 5


def test_an_encrypted_office_file_fails_with_a_plain_message(write):
    from tests.forum.test_attachments import encrypted

    result = extract_text(write("locked.docx", encrypted(files.docx_file("Secret"))), files.DOCX)
    assert result.status == "failed" and "password-protected" in result.message


# --- Limits ---------------------------------------------------------------------------------------------


def test_only_the_first_pages_of_a_long_pdf_are_read(write, limits):
    limits(MAX_PAGES=3)
    result = extract_text(write("long.pdf", files.pdf(*[f"Page number {n}" for n in range(1, 8)])), files.PDF)
    assert result.status == "done" and result.pages == 3 and result.truncated
    assert "Page number 3" in result.text and "Page number 4" not in result.text
    assert result.message == "The document has 7 pages: only the first 3 can be searched."


def test_a_huge_spreadsheet_is_cut_within_the_cell_limit(write, limits):
    limits(MAX_CELLS=5_000)
    rows = [[f"row {n}", n, n * 2, "x", "y"] for n in range(20_000)]
    started = time.monotonic()
    result = extract_text(write("huge.xlsx", files.xlsx_file({"Big": rows, "Second": [["never read"]]})), files.XLSX)
    assert time.monotonic() - started < 20
    assert result.status == "done" and result.truncated
    assert result.message == "The workbook is large: only its first part can be searched."
    assert "row 0\t" in result.text and "row 999\t" in result.text and "row 19999" not in result.text
    assert "never read" not in result.text


def test_the_text_kept_is_capped(write, limits):
    limits(MAX_TEXT_CHARS=1_000)
    result = extract_text(write("long.txt", ("Paragraph of procedure text. " * 2_000).encode()), files.TXT)
    assert result.status == "done" and result.truncated and len(result.text) <= 1_000
    assert "only its first" in result.message


def test_a_file_larger_than_extraction_reads_fails_without_a_process(write, limits, monkeypatch):
    limits(MAX_INPUT_BYTES=1_000)
    monkeypatch.setattr(extraction, "_run_worker", lambda *args, **kwargs: pytest.fail("no process for a huge file"))
    result = extract_text(write("big.txt", b"words " * 1_000), files.TXT)
    assert result.status == "failed" and "larger than" in result.message


def test_the_timeout_really_stops_a_hung_parse(write, limits):
    path = write("slow.pdf", files.slow_pdf())
    limits(TIMEOUT_SECONDS=0.5)
    started = time.monotonic()
    result = extract_text(path, files.PDF)
    elapsed = time.monotonic() - started
    assert result.status == "failed"
    assert result.message == "Reading the file took longer than 0.5 seconds, so it was stopped. Search cannot read it."
    assert elapsed < 3, elapsed  # the parse alone takes several seconds


def test_a_child_out_of_memory_fails_the_file_not_the_worker(write, limits):
    limits(MEMORY_MB=40)
    result = extract_text(write("big.txt", b"Twenty megabytes of words. " * 750_000), files.TXT)
    assert result.status == "failed" and result.text == ""
    assert result.message == "Reading the file needed too much memory, so it was stopped. Search cannot read this file."


def test_the_child_gets_no_secrets_from_the_environment(write, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/comity")
    seen = {}
    real_run = extraction.subprocess.run

    def spy(*args, **kwargs):
        seen.update(kwargs["env"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(extraction.subprocess, "run", spy)
    assert extract_text(write("a.txt", b"plain"), files.TXT).text == "plain"
    assert "DATABASE_URL" not in seen and set(seen) <= {"PATH", "LANG", "LC_ALL"}


# --- The background task --------------------------------------------------------------------------------


@pytest.fixture
def forum(db):
    association = association_with_groups()
    member = member_of(association)
    category = CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS)
    topic = make_topic(member, category, title="Withholding procedure")
    return association, member, category, topic


def attach(post, member, name, content):
    (attachment,) = attach_files(post, [files.upload(name, content)], by=member)
    return attachment


def test_the_task_stores_the_text_and_queues_the_post_for_search(forum):
    _, member, _, topic = forum
    reply = make_reply(member, topic, body="The checklist is attached.")
    attachment = attach(reply, member, "checklist.pdf", files.pdf("Employer checklist for the income withholding notice"))
    assert attachment.extraction_status == "pending"
    IndexOutboxEntry.objects.all().delete()

    assert run_extraction(attachment.pk) == "done"
    attachment.refresh_from_db()
    assert attachment.extraction_status == "done" and attachment.extracted_at is not None
    assert "Employer checklist" in attachment.extracted_text and attachment.review_status == "none"
    assert set(IndexOutboxEntry.objects.values_list("document_id", flat=True)) == {f"post:{reply.pk}", f"topic:{topic.pk}"}


def test_a_notepad_ansi_file_is_accepted_and_its_text_read_right(forum):
    """Windows-1252 ("ANSI") notes upload as text and extract with their curly quotes and accents."""
    _, member, _, topic = forum
    text = "“Café Muñoz” asked for the NMSN – § 466(a)(19) applies.\r\nSee the obligee’s résumé."
    attachment = attach(topic.posts.get(position=1), member, "notes.txt", text.encode("cp1252"))
    assert attachment.content_type == "text/plain; charset=windows-1252"
    assert run_extraction(attachment.pk) == "done"
    attachment.refresh_from_db()
    assert attachment.extracted_text.splitlines() == text.splitlines()


def test_the_task_is_idempotent(forum):
    _, member, _, topic = forum
    attachment = attach(topic.posts.get(position=1), member, "case.txt", files.CASE_DATA.encode())
    assert extract_attachment_text.call(attachment.pk) == "done"
    findings = list(GuardFinding.objects.values_list("pk", flat=True))
    first = Attachment.objects.get(pk=attachment.pk)
    assert findings

    assert extract_attachment_text.call(attachment.pk) == "skipped"
    again = Attachment.objects.get(pk=attachment.pk)
    assert list(GuardFinding.objects.values_list("pk", flat=True)) == findings
    assert (again.extracted_at, again.review_status) == (first.extracted_at, first.review_status)
    assert run_extraction(987654321) == "missing"


def test_uploads_are_extracted_after_commit(forum, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _, member, _, topic = forum
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attach(topic.posts.get(position=1), member, "steps.odt", files.odt_file("<text:p>NMSN steps</text:p>"))
    attachment.refresh_from_db()
    assert attachment.extraction_status == "done" and attachment.extracted_text == "NMSN steps"


def test_a_new_procedure_version_is_extracted_too(forum, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _, member, category, _ = forum
    procedure = make_topic(member, category, kind="procedure", title="Our NMSN procedure")
    with django_capture_on_commit_callbacks(execute=True):
        version = add_procedure_version(procedure, files.upload("v2.docx", files.docx_file("Version two")), by=member)
    version.refresh_from_db()
    assert version.extraction_status == "done" and "Version two" in version.extracted_text


def test_pending_uploads_whose_task_was_lost_are_picked_up(forum):
    _, member, _, topic = forum
    attachment = attach(topic.posts.get(position=1), member, "a.txt", b"Lost task")
    assert run_pending_extractions() == 1
    attachment.refresh_from_db()
    assert attachment.extraction_status == "done"
    assert run_pending_extractions() == 0


@pytest.mark.parametrize(("name", "content", "status", "message"), [
    ("scan.pdf", files.scanned_pdf(), "no_text", "No text found — is this a scanned image? Search cannot read it."),
    ("locked.pdf", files.encrypted_pdf(), "failed", "The PDF is password-protected"),
    ("broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100, "failed", DAMAGED),
    ("bomb.docx", None, "failed", "The document would unpack to far more than its size"),
])
def test_a_bad_file_never_loses_its_post(client, forum, limits, name, content, status, message, monkeypatch):
    _, member, _, topic = forum
    reply = make_reply(member, topic, body="Here is the file you asked for.")
    if content is None:
        # Upload validation refuses a bomb; one stored earlier must still be handled safely.
        monkeypatch.setattr("forum.attachments.ZIP_MAX_RATIO", 10**9)
        monkeypatch.setattr("forum.attachments.ZIP_MAX_UNCOMPRESSED_BYTES", 10**12)
        content = files.zip_bomb_docx(unpacked_mb=60)
    attachment = attach(reply, member, name, content)
    assert run_extraction(attachment.pk) == status
    attachment.refresh_from_db()
    assert attachment.extraction_status == status and attachment.extraction_message.startswith(message)
    assert attachment.extracted_text == "" and attachment.review_status == "none"
    assert Post.objects.filter(pk=reply.pk, body="Here is the file you asked for.").exists()
    client.force_login(member)
    page = client.get(topic.get_absolute_url())
    assert page.status_code == 200 and "Here is the file you asked for." in page.content.decode()
    # Its uploader is told why search cannot read it.
    assert message in page.content.decode()


def test_a_hung_parse_is_stopped_and_the_post_stays(client, forum, limits):
    _, member, _, topic = forum
    reply = make_reply(member, topic, body="A very slow file.")
    attachment = attach(reply, member, "slow.pdf", files.slow_pdf())
    limits(TIMEOUT_SECONDS=0.5)
    started = time.monotonic()
    assert run_extraction(attachment.pk) == "failed"
    assert time.monotonic() - started < 3
    attachment.refresh_from_db()
    assert "took longer than 0.5 seconds" in attachment.extraction_message
    client.force_login(member)
    assert client.get(reverse("forum:attachment", args=[attachment.pk])).status_code == 200
    assert Topic.objects.get(pk=topic.pk).post_count == 2
