"""Writes that set up an association's site: its Wagtail Site, its editorial workflow and
its members-only document collection. Each is idempotent (safe to run again) and leaves
what an administrator has since changed alone."""

from django.db import transaction
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from members.models import Association, Role, RoleGroup

MEMBERS_ONLY_COLLECTION_NAME = "Members only"


@transaction.atomic
def sync_association_site(home) -> Site | None:
    """Make the association's own Wagtail Site match its home page's host name: a Site
    rooted at the home page for that host, or none (the portal's path prefix serves it)."""
    sites = Site.objects.filter(root_page_id=home.pk, is_default_site=False)
    if not home.site_hostname:
        sites.delete()
        return None
    site = sites.first() or Site(root_page_id=home.pk)
    site.hostname = home.site_hostname
    site.port = home.site_port
    site.site_name = home.title
    site.save()
    sites.exclude(pk=site.pk).delete()
    return site


@transaction.atomic
def ensure_editorial_workflow(association: Association) -> Workflow | None:
    """Put the association's page tree under a workflow in which its editors submit pages
    and its admins approve them (approval publishes). If the home page already has a
    workflow (perhaps one an administrator changed), it is left as it is."""
    if not association.home_page_id:
        return None
    existing = WorkflowPage.objects.select_related("workflow").filter(page_id=association.home_page_id).first()
    if existing is not None:
        return existing.workflow
    admins = RoleGroup.objects.select_related("group").get(association=association, role=Role.ADMIN).group
    task = GroupApprovalTask.objects.create(name=f"{association.short_name} admins' review")
    task.groups.set([admins])
    workflow = Workflow.objects.create(name=f"{association.short_name} editorial review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(page_id=association.home_page_id, workflow=workflow)
    return workflow


@transaction.atomic
def ensure_members_only_collection(association: Association) -> Collection:
    """A collection inside the association's own, whose documents and images are served
    only to the association's members (Wagtail's collection view restriction, which follows
    the members group and so each membership at once)."""
    from members.services import association_collection

    parent = association_collection(association)
    collection = parent.get_children().filter(name=MEMBERS_ONLY_COLLECTION_NAME).first()
    if collection is None:
        collection = parent.add_child(name=MEMBERS_ONLY_COLLECTION_NAME)
    members = RoleGroup.objects.select_related("group").get(association=association, role=Role.MEMBER).group
    restriction = CollectionViewRestriction.objects.filter(collection=collection).first()
    if restriction is None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set([members])
    return collection


@transaction.atomic
def ensure_association_site_setup(association: Association) -> None:
    """Everything an association's site needs once its role groups exist."""
    ensure_editorial_workflow(association)
    ensure_members_only_collection(association)
