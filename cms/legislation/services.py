"""Writing updates outside the Wagtail admin (demo content, imports, benchmarks). Editors
use the admin, which runs the same page validation; publishing either way announces
`update_published` (cms/legislation/signals.py)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cms.legislation.models import LegislativeUpdateIndexPage, LegislativeUpdatePage
from cms.selectors import association_for_page
from members.permissions import can_edit_pages


@transaction.atomic
def add_update(
    index_page: LegislativeUpdateIndexPage,
    *,
    by,
    jurisdictions,
    tags=(),
    publish: bool = True,
    published_at: datetime.datetime | None = None,
    **fields,
) -> LegislativeUpdatePage:
    """Add an update under `index_page` as `by` (an editor or admin of its association) and
    publish it unless `publish` is False. Invalid fields raise ValidationError keyed by field
    (nothing is written). `published_at` backdates the first publication (for imports)."""
    association = association_for_page(index_page)
    if association is None or not can_edit_pages(by, association):
        raise PermissionDenied("Only the association's editors and admins add legislative updates.")
    update = LegislativeUpdatePage(live=False, first_published_at=published_at if publish else None, **fields)
    update.jurisdictions = list(jurisdictions)
    update.tags.set(list(tags))
    index_page.add_child(instance=update)
    # The revision runs the page's full validation; a failure rolls the new page back too.
    revision = update.save_revision(user=by, log_action=True)
    if publish:
        # Permission was checked above against the one permission source (members.permissions).
        revision.publish(user=by, skip_permission_checks=True)
        if published_at is not None:  # an imported update was published then, not edited since
            LegislativeUpdatePage.objects.filter(pk=update.pk).update(last_published_at=published_at)
        update.refresh_from_db()
    return update
