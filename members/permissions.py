"""The one place that answers what a user may see and do.

Forum, CMS, search, feeds and websockets all ask here. Visibility is expressed as
*audience ids*, short strings that content carries and users hold:

    "public"          everyone, signed in or not
    "signed-in"       anyone with an account who is signed in
    "group:<id>"      members of a Django/Wagtail group; each association has one group per
                      role (members, moderators, editors, admins, board), see RoleGroup

A user may see a thing when the thing's audience ids and the user's share at least one
(`can_view`). Search stores each document's audience ids and filters on
`audience_ids(user)` inside the engine. Superusers see everything.
"""

from collections.abc import Iterable

from members.models import Association, Membership, Role, RoleGroup

PUBLIC = "public"
SIGNED_IN = "signed-in"
# Roles that let someone manage an association's memberships and roles.
MANAGING_ROLES = {Role.ADMIN}


def group_audience(group_id: int) -> str:
    return f"group:{group_id}"


# These answers are never cached on the user object: a websocket consumer keeps its user
# for hours, and a lapsed member must lose access at once. Callers that need an answer
# many times in one request compute it once and pass it along.


def audience_ids(user) -> frozenset[str]:
    """Every audience id `user` holds (one query for a signed-in user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset({PUBLIC})
    group_ids = user.groups.filter(role_group__isnull=False).values_list("id", flat=True)
    return frozenset({PUBLIC, SIGNED_IN, *(group_audience(group_id) for group_id in group_ids)})


def sees_everything(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def can_view(user, thing) -> bool:
    """`thing` offers `audience_ids` (an iterable of audience ids allowed to see it)."""
    if sees_everything(user):
        return True
    return not audience_ids(user).isdisjoint(_audiences_of(thing))


def _audiences_of(thing) -> frozenset[str]:
    audiences = thing.audience_ids
    audiences = audiences() if callable(audiences) else audiences
    if isinstance(audiences, str):
        return frozenset({audiences})
    return frozenset(audiences)


def audience_for_role(association: Association, role: str) -> str:
    """The audience id for "holders of `role` in `association`" (e.g. its members)."""
    group_id = RoleGroup.objects.values_list("group_id", flat=True).get(association=association, role=role)
    return group_audience(group_id)


def roles_by_association(user) -> dict[int, frozenset[str]]:
    """{association id: roles} for the user's active memberships (two queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    memberships = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).prefetch_related(
        "role_assignments"
    )
    return {
        membership.association_id: frozenset(
            {Role.MEMBER, *(assignment.role for assignment in membership.role_assignments.all())}
        )
        for membership in memberships
    }


def has_role(user, association: Association, role: str) -> bool:
    return role in roles_by_association(user).get(association.pk, frozenset())


def is_active_member(user, association: Association) -> bool:
    return has_role(user, association, Role.MEMBER)


def is_member_anywhere(user) -> bool:
    return bool(roles_by_association(user))


MODERATING_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})


def can_moderate(user, association: Association | None) -> bool:
    """Moderators and admins moderate their association's forum categories. The interstate
    commons (association None) is moderated by the moderators of every association."""
    if sees_everything(user):
        return True
    roles = roles_by_association(user)
    if association is None:
        return any(held & MODERATING_ROLES for held in roles.values())
    return bool(roles.get(association.pk, frozenset()) & MODERATING_ROLES)


def can_edit_pages(user, association: Association) -> bool:
    return sees_everything(user) or has_role(user, association, Role.EDITOR) or has_role(user, association, Role.ADMIN)


def can_manage_memberships(user, association: Association) -> bool:
    return sees_everything(user) or any(has_role(user, association, role) for role in MANAGING_ROLES)


def associations_managed_by(user) -> list[Association]:
    if sees_everything(user):
        return list(Association.objects.all())
    ids = [association_id for association_id, roles in roles_by_association(user).items() if roles & MANAGING_ROLES]
    return list(Association.objects.filter(pk__in=ids))


def can_decide_application(user, membership: Membership) -> bool:
    """Association admins decide applications, but never their own."""
    return membership.user_id != user.pk and can_manage_memberships(user, membership.association)


def can_assign_role(user, membership: Membership, role: str) -> bool:
    """Association admins grant and remove roles, but nobody changes their own roles."""
    if membership.user_id == user.pk or role == Role.MEMBER:
        return False
    return can_manage_memberships(user, membership.association)


def can_view_directory(user) -> bool:
    """The members directory is for active members of any association (and staff)."""
    return sees_everything(user) or is_member_anywhere(user)


def visible_to(user, things: Iterable) -> list:
    """Keep only the things `user` may see (for short in-memory lists; querysets should
    filter on audience ids in the database instead)."""
    return [thing for thing in things if can_view(user, thing)]


def group_ids_in(audiences: frozenset[str]) -> list[int]:
    return [int(audience.split(":", 1)[1]) for audience in audiences if audience.startswith("group:")]


def member_association_ids(user) -> set[int]:
    """Associations whose members group the user is in (i.e. where they are active members)."""
    group_ids = group_ids_in(audience_ids(user))
    if not group_ids:
        return set()
    return set(
        RoleGroup.objects.filter(role=Role.MEMBER, group_id__in=group_ids).values_list("association_id", flat=True)
    )


def audience_ids_for_visibility(visibility: str, *, association_id: int | None, group_id: int | None) -> frozenset[str]:
    """The audience ids of something shown to `visibility` ("public", "signed_in",
    "members" or "group"). "members" with no association means the interstate commons:
    members of any association."""
    if visibility == "public":
        return frozenset({PUBLIC})
    if visibility == "signed_in":
        return frozenset({SIGNED_IN})
    if visibility == "group":
        return frozenset({group_audience(group_id)}) if group_id else frozenset()
    member_groups = RoleGroup.objects.filter(role=Role.MEMBER)
    if association_id is not None:
        member_groups = member_groups.filter(association_id=association_id)
    return frozenset(group_audience(group_id) for group_id in member_groups.values_list("group_id", flat=True))


def category_audience_ids(category) -> frozenset[str]:
    return audience_ids_for_visibility(
        category.visibility, association_id=category.association_id, group_id=category.group_id
    )
