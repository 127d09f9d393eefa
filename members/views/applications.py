"""Membership applications: the public form per association, the applicant's own list,
and the association admins' approval queue with decisions and roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.forms import add_service_errors
from members import permissions, selectors, services
from members.forms.applications import DecisionForm, LapseForm, MembershipApplicationForm, RolesForm
from members.models import Association, Membership

QUEUE_TABS = [
    (Membership.Status.APPLIED, "Waiting for a decision"),
    (Membership.Status.ACTIVE, "Active"),
    (Membership.Status.LAPSED, "Lapsed"),
    (Membership.Status.REJECTED, "Rejected"),
]


@require_http_methods(["GET", "POST"])
def apply(request, association_slug):
    association = get_object_or_404(Association, slug=association_slug)
    existing = None
    if request.user.is_authenticated:
        existing = Membership.objects.filter(user=request.user, association=association).first()
    form = None
    if request.user.is_authenticated:
        form = MembershipApplicationForm(request.POST or None, association=association)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.apply_for_membership(
                    request.user,
                    association,
                    eligibility_category=data["eligibility_category"],
                    agency=data["agency"],
                    jurisdiction=data["jurisdiction"],
                    job_title=data["job_title"],
                    region=data.get("region"),
                    statement=data["statement"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Your application to {association.short_name} is in. You will get an email when it is decided.")
                return redirect("members:my_memberships")
    elif request.method == "POST":
        return redirect(f"{reverse('account_login')}?next={request.path}")
    return render(
        request,
        "members/apply.html",
        {
            "association": association,
            "categories": selectors.eligibility_categories(association),
            "form": form,
            "existing": existing,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def my_memberships(request):
    return render(request, "members/my_memberships.html", {"memberships": selectors.memberships_of(request.user)})


def association_for_admin(request, association_slug) -> Association:
    association = get_object_or_404(Association, slug=association_slug)
    if not permissions.can_manage_memberships(request.user, association):
        raise PermissionDenied("Only this association's admins can review its memberships.")
    return association


@login_required
def application_queue(request, association_slug):
    association = association_for_admin(request, association_slug)
    status = request.GET.get("status", Membership.Status.APPLIED)
    if status not in Membership.Status.values:
        status = Membership.Status.APPLIED
    return render(
        request,
        "members/application_queue.html",
        {
            "association": association,
            "memberships": selectors.application_queue(request.user, association, status),
            "tabs": QUEUE_TABS,
            "status": status,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_decision(request, association_slug, membership_id):
    association = association_for_admin(request, association_slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "eligibility_category", "jurisdiction", "region", "decided_by"),
        pk=membership_id,
        association=association,
    )
    own = membership.user_id == request.user.pk
    decision_form = DecisionForm(request.POST if "decide" in request.POST else None)
    lapse_form = LapseForm(request.POST if "lapse" in request.POST else None)
    if request.method == "POST":
        if own:
            raise PermissionDenied("Nobody can decide their own membership.")
        form = decision_form if "decide" in request.POST else lapse_form
        if form.is_valid():
            try:
                if form is lapse_form:
                    services.lapse_membership(membership, by=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, f"{membership.user}'s membership has lapsed.")
                elif form.cleaned_data["decision"] == "approve":
                    services.approve_membership(membership, by=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, f"{membership.user} is now a member of {association.short_name}.")
                else:
                    services.reject_membership(membership, by=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, f"{membership.user}'s application was rejected.")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("members:application_queue", association_slug=association.slug)
    return render(
        request,
        "members/application_decision.html",
        {
            "association": association,
            "membership": membership,
            "own": own,
            "decision_form": decision_form,
            "lapse_form": lapse_form,
            "roles_form": RolesForm(membership=membership),
        },
        status=400 if (decision_form.errors or lapse_form.errors) else 200,
    )


@login_required
@require_POST
def membership_roles(request, association_slug, membership_id):
    association = association_for_admin(request, association_slug)
    membership = get_object_or_404(
        Membership.objects.prefetch_related("role_assignments"), pk=membership_id, association=association
    )
    if membership.user_id == request.user.pk:
        raise PermissionDenied("Nobody can change their own roles.")
    form = RolesForm(request.POST, membership=membership)
    if not form.is_valid():
        messages.error(request, "Choose roles from the list.")
        return redirect("members:application_decision", association_slug=association.slug, membership_id=membership.pk)
    wanted = set(form.cleaned_data["roles"])
    held = {assignment.role for assignment in membership.role_assignments.all()}
    try:
        for role in sorted(wanted - held):
            services.assign_role(membership, role, by=request.user)
        for role in sorted(held - wanted):
            services.remove_role(membership, role, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user}'s roles are saved.")
    return redirect("members:application_decision", association_slug=association.slug, membership_id=membership.pk)
