"""Editorial workflow: editors draft and submit, the association's admins approve (which
publishes); scheduled publishing; revisions; editors keep to their own association's pages."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms import services
from cms.models import StandardPage
from members.models import Role, RoleGroup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def workflows(western, missouri):
    return {
        "western": services.ensure_editorial_workflow(western.association),
        "missouri": services.ensure_editorial_workflow(missouri.association),
    }


def draft_page(home, title="Strategic plan") -> StandardPage:
    page = home.add_child(instance=StandardPage(title=title, slug="strategic-plan", live=False))
    page.save_revision()
    return page


def edit_form(title: str, action: str) -> dict:
    data = nested_form_data({
        "title": title, "slug": "strategic-plan", "intro": "Where the council is going.",
        "body": streamfield([("paragraph", rich_text("<p>Faster intergovernmental cases.</p>"))]),
    })
    data[action] = "1"
    return data


def test_each_association_gets_its_own_workflow_reviewed_by_its_admins(western, workflows):
    workflow = workflows["western"]
    assert WorkflowPage.objects.get(page=western.home).workflow == workflow
    [task] = workflow.tasks.specific()
    admins = RoleGroup.objects.get(association=western.association, role=Role.ADMIN).group
    assert isinstance(task, GroupApprovalTask) and list(task.groups.all()) == [admins]
    assert draft_page(western.home).get_workflow() == workflow
    # Idempotent: a second run neither duplicates nor replaces it.
    assert services.ensure_editorial_workflow(western.association) == workflow
    assert Workflow.objects.filter(name="WICSEC editorial review").count() == 1


def test_the_workflow_an_administrator_changed_is_left_alone(western, workflows):
    replacement = Workflow.objects.create(name="Board review")
    WorkflowPage.objects.filter(page=western.home).update(workflow=replacement)
    assert services.ensure_editorial_workflow(western.association) == replacement


def test_editor_submits_and_the_association_admin_approves(client, western, workflows, people):
    page = draft_page(western.home)
    client.force_login(people.western_editor)
    response = client.post(f"/admin/pages/{page.pk}/edit/", edit_form("Strategic plan 2025–2028", "action-submit"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    task_state = state.current_task_state

    # The editor cannot approve their own submission; the admin can, and that publishes.
    client.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/")
    page.refresh_from_db()
    assert not page.live
    client.force_login(people.western_admin)
    response = client.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/")
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live and page.title == "Strategic plan 2025–2028"
    assert client.get(page.url).status_code == 200


def test_editors_draft_and_submit_but_do_not_publish(western, workflows, people):
    page = draft_page(western.home)
    editor = page.permissions_for_user(people.western_editor)
    assert editor.can_edit() and editor.can_submit_for_moderation() and not editor.can_publish()
    admin = page.permissions_for_user(people.western_admin)
    assert admin.can_edit() and admin.can_publish()


def test_editors_cannot_edit_another_associations_pages(client, western, missouri, workflows, people):
    page = draft_page(western.home)
    assert not page.permissions_for_user(people.missouri_editor).can_edit()
    assert not western.home.permissions_for_user(people.missouri_editor).can_add_subpage()
    assert not page.permissions_for_user(people.missouri_admin).can_publish()

    client.force_login(people.missouri_editor)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert f"/pages/{page.pk}/edit/" not in response["Location"]
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form("Taken over", "action-save"))
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().title == "Strategic plan"
    # Their own association's pages are theirs to edit.
    assert client.get(f"/admin/pages/{missouri.home.pk}/edit/").status_code == 200


def test_revisions_are_kept_and_a_draft_does_not_change_the_live_page(client, western, workflows, people):
    page = western.home.add_child(instance=StandardPage(title="Strategic plan", slug="strategic-plan"))
    page.save_revision().publish()
    client.force_login(people.western_editor)
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form("Strategic plan (draft 2)", "action-save"))
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form("Strategic plan (draft 3)", "action-save"))
    page.refresh_from_db()
    assert page.revisions.count() == 3
    assert page.title == "Strategic plan" and page.has_unpublished_changes
    assert page.get_latest_revision_as_object().title == "Strategic plan (draft 3)"


def test_a_scheduled_page_goes_live_through_publish_scheduled(western):
    page = draft_page(western.home, title="Conference call for presenters")
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not due yet

    # An hour and a minute later, the command publishes it.
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk
    assert page.last_published_at == later
