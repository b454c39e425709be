"""The inbox, preferences, watches and the log of mails sent to the user. Every page filters by
``request.user`` (an admin's wall would show everyone's rows); the actions are
``notifications.services``'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from schools.models import School
from web.tables import paginate
from zones.models import State, Zone

from . import services
from .forms import InboxFilter, PreferencesForm, WatchForm
from .links import local_path
from .models import EmailDelivery, Notification, Watch

WATCHED = {"state": State, "zone": Zone, "school": School}


def own_notifications(user):
    return Notification.objects.filter(recipient=user).select_related(
        "event__state", "event__zone", "event__school", "event__actor"
    )


@require_safe
@login_required
def inbox(request):
    """The user's notifications, newest first, unread ones marked; filter unread and by kind."""
    filters = InboxFilter(request.GET)
    page = paginate(request, filters.apply(own_notifications(request.user)))
    return render(request, "notifications/inbox.html", {"page": page, "filters": filters})


@require_POST
@login_required
def read(request, notification_pk):
    """Mark the notification read and go to its event's page (only ever a path on this site)."""
    notification = get_object_or_404(own_notifications(request.user), pk=notification_pk)
    services.mark_read(notification)
    return redirect(local_path(notification.event.link) or reverse("notifications:inbox"))


@require_POST
@login_required
def read_all(request):
    marked = services.mark_all_read(request.user)
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    """How the user hears of each kind of event (their choice or the default), and their watches."""
    form = PreferencesForm(request.POST or None, chosen=services.chosen_deliveries(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, form.deliveries())
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    watches = Watch.objects.filter(user=request.user).select_related("state", "zone__state", "school__zone")
    context = {"form": form, "watches": watches}
    return render(request, "notifications/preferences.html", context, status=400 if form.is_bound else 200)


@require_POST
@login_required
def watch(request):
    """Watch a state, zone or school the user reads (else 404), or stop; back to ``next``."""
    form = WatchForm(request.POST)
    if not form.is_valid():
        raise Http404("No such thing to watch.")
    field = form.cleaned_data["target"]
    target = get_object_or_404(WATCHED[field], pk=form.cleaned_data["pk"])
    wanted = form.cleaned_data["watch"]  # what the button showed asks for; none: toggle
    watching = wanted == "1" if wanted else not Watch.objects.filter(user=request.user, **{field: target}).exists()
    services.set_watching(request.user, target, watching)
    messages.success(request, f"{'Watching' if watching else 'No longer watching'} {target}.")
    back = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse(f"portfolio:{field}_detail", kwargs={f"{field}_pk": target.pk})
    return redirect(back)


@require_safe
@login_required
def sent(request):
    """The mails sent to the user: when, what, which cadence, how many notifications, confirmed or not."""
    deliveries = (
        EmailDelivery.objects.filter(recipient=request.user)
        .annotate(carried=Count("notifications"))
        .order_by("-claimed_at", "-pk")  # a grouped query drops the model's ordering
    )
    return render(request, "notifications/sent.html", {"page": paginate(request, deliveries)})
