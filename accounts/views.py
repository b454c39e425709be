from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from web.errors import ReaderNotFound

from .forms import InvitationForm, JoinForm
from .models import Invitation, User
from .services import accept_invitation, resend_invitation, revoke_invitation, send_invitation


def _require(user, permission, obj=None):
    if not user.has_perm(permission, obj):
        raise PermissionDenied


@require_safe
@login_required
def invitation_list(request):
    _require(request.user, "accounts.view_invitation")
    invitations = Invitation.objects.select_related(
        "state", "lead_partner", "collaborator", "invited_by", "accepted_by"
    )
    for invitation in invitations:
        invitation.can_manage = request.user.has_perm("accounts.change_invitation", invitation)
    return render(request, "accounts/invitation_list.html", {"invitations": invitations})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    _require(request.user, "accounts.view_invitation")
    form = InvitationForm(request.POST or None, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        invitation = send_invitation(form.instance, request.user, request.build_absolute_uri("/"))
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


def _invitation_step(request, invitation_pk, action, step, done):
    """Confirm (GET), then revoke or resend (POST) an invitation the user manages; one already
    accepted is refused on the page."""
    invitation = get_object_or_404(Invitation.objects.select_related("state", "lead_partner"), pk=invitation_pk)
    _require(request.user, "accounts.change_invitation", invitation)
    context = {"invitation": invitation, "action": action}
    if request.method == "POST":
        try:
            step(invitation)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return render(request, "accounts/invitation_confirm.html", context, status=409)
        messages.success(request, done.format(email=invitation.email))
        return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, invitation_pk):
    return _invitation_step(
        request,
        invitation_pk,
        "Revoke",
        lambda invitation: revoke_invitation(invitation, user=request.user),
        "Revoked the invitation for {email}: its link no longer works.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_resend(request, invitation_pk):
    return _invitation_step(
        request,
        invitation_pk,
        "Resend",
        lambda invitation: resend_invitation(invitation, user=request.user, base_url=request.build_absolute_uri("/")),
        "Sent the invitation to {email} again with a new link; the old link no longer works.",
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The emailed link: a newcomer sets a password; an existing user signs in and accepts."""
    invitation = Invitation.find_by_token(token)
    if invitation is None or not invitation.is_usable:
        raise ReaderNotFound("This invitation link is invalid, has expired or has already been used.")
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is None:
        form = JoinForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            user = form.save()
            _accept(request, invitation, user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portfolio:home")
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})
    signed_in_as_invitee = request.user.is_authenticated and request.user.pk == existing.pk
    if request.method == "POST" and signed_in_as_invitee:
        _accept(request, invitation, request.user)
        return redirect("portfolio:home")
    context = {
        "invitation": invitation,
        "signed_in_as_invitee": signed_in_as_invitee,
        "login_url": f"{reverse('account_login')}?next={request.path}",
    }
    return render(request, "accounts/invitation_accept.html", context)


def _accept(request, invitation, user):
    try:
        membership = accept_invitation(invitation, user)
    except ValidationError as error:  # used or expired meanwhile: the request's transaction rolls back
        raise ReaderNotFound(error.message) from error
    messages.success(request, f"You now have access as {membership.get_role_display()} ({membership.scope_label()}).")
