from members.models import Association


def associations_for_switcher() -> list[Association]:
    """Associations with a published home page, for the header's association switcher."""
    return list(
        Association.objects.filter(home_page__live=True).select_related("home_page").order_by("name")
    )
