"""The calendar feed pages: a user's own feeds (create one, its URL shown once; revoke one) and
the feed itself, fetched by calendar clients without a session (the key in the URL is the
credential)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from web.forms import DomainModelForm

from ..calendar_feed import active_feed, feed_for, issue_feed, mark_used, revoke_feed
from ..models import CalendarFeed


class CalendarFeedForm(DomainModelForm):
    class Meta:
        model = CalendarFeed
        fields = ["name"]
        help_texts = {"name": "Where you use it, e.g. 'Outlook at work' (only you see it)."}


def _own_feeds(user):
    """The user's own feeds (an admin reads everyone's, but this page is about their own)."""
    return CalendarFeed.objects.filter(user=user)


@never_cache
@login_required
def calendar(request):
    """The user's feeds, and the form for a new one; its URL is shown on this response only."""
    form = CalendarFeedForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        feed, key = issue_feed(request.user, form.cleaned_data["name"])
        url = settings.SITE_URL.rstrip("/") + reverse("network:calendar_feed", kwargs={"feed_key": key})
        created = {"feed": feed, "url": url, "webcal": "webcal://" + url.split("://", 1)[1]}
        form = CalendarFeedForm()
    return render(
        request, "network/calendar.html", {"form": form, "created": created, "feeds": _own_feeds(request.user)}
    )


@require_POST
@login_required
def calendar_revoke(request, calendarfeed_pk):
    feed = get_object_or_404(_own_feeds(request.user), pk=calendarfeed_pk)
    revoke_feed(feed)
    messages.success(request, f"Feed “{feed.name}” is revoked: its URL answers nothing from now on.")
    return redirect("network:calendar")


@require_GET
def calendar_feed(request, feed_key):
    """The feed, for whoever holds its key; a revoked or unknown key is a plain 404."""
    feed = active_feed(feed_key)
    if feed is None:
        raise Http404("No such calendar feed.")
    body = feed_for(feed.user, timezone.localdate())
    mark_used(feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=0"  # one person's calendar: no shared cache keeps it
    response["Content-Disposition"] = 'inline; filename="zone-portfolio.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
