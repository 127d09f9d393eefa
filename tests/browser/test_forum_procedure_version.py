"""A new version of a shared procedure's document in Chromium: the author follows "Upload a
new version" from the topic page, sends a file that is not what its name says (a clear
error, the current version unchanged), then the real file, and the topic page shows it as
the current version with the earlier one listed. The upload page passes axe, with and
without the error."""

import re

import pytest
from django.core.files.storage import FileSystemStorage

from forum.attachments import attach_files, current_document
from forum.models import Attachment
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.forum.test_attachments import WINDOWS_PROGRAM, pdf_bytes, upload
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def procedure(live_url, tmp_path, monkeypatch):
    # The live server runs in this process, so it stores into the same throwaway folder.
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "private"))
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Shared procedures", slug="shared-procedures")
    author = member_of(association, user=UserFactory(display_name="Dana Author"))
    topic = make_topic(author, category, kind="procedure", title="Registering an order for enforcement only")
    attach_files(topic.posts.get(position=1), [upload("Registration steps 2024.pdf", pdf_bytes("2024"))], by=author)
    return topic, author


def test_upload_a_new_version_of_a_procedure_document(live_url, page, procedure):
    topic, author = procedure
    sign_in_with_session(page, live_url, author)
    page.goto(f"{live_url}{topic.get_absolute_url()}")
    page.get_by_role("link", name="Upload a new version of Registration steps 2024.pdf").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+/document/$"))
    assert page.locator("h1").inner_text() == "Upload a new version of the procedure document"
    assert_accessible(page, "on the upload page ")

    # USWDS's file input names the input by its drag-and-drop instructions.
    page.locator("input[name=document]").set_input_files(
        files=[{"name": "Registration steps 2025.pdf", "mimeType": "application/pdf", "buffer": WINDOWS_PROGRAM}]
    )
    page.get_by_role("button", name="Upload new version").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").filter(has_text="The new version was not uploaded")
    assert "The current version is unchanged." in alert.inner_text()
    assert "“Registration steps 2025.pdf” cannot be attached: it is a Windows program." in page.locator("#id_document_error").inner_text()
    assert current_document(topic).original_name == "Registration steps 2024.pdf"
    assert_accessible(page, "on the upload page after a refused file ")

    page.locator("input[name=document]").set_input_files(
        files=[{"name": "Registration steps 2025.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("2025")}]
    )
    page.get_by_role("button", name="Upload new version").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+/#post-\d+$"))
    assert "is now the current version of the procedure document" in page.locator("main").inner_text()
    document = page.locator(".comity-attachments--procedure")
    current, earlier = document.inner_text().split("Earlier versions")
    assert "Registration steps 2025.pdf" in current and "current version" in current
    assert "Registration steps 2024.pdf" in earlier
    assert current_document(topic).original_name == "Registration steps 2025.pdf"
    assert_accessible(page, "on the topic page with two versions ")
