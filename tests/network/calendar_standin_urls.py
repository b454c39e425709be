"""Stand-ins for the meetings part's pages, until they are in this branch: the calendar feed links
to ``network:meeting_detail`` and ``network:action_item_detail`` (the contract's names and paths).
Used by tests/network/test_calendar_feed.py only when those names do not resolve; delete at merge."""

from django.http import HttpResponse
from django.urls import include, path

import network.urls
from config.urls import urlpatterns as site


def _page(request, **kwargs):
    return HttpResponse()


network_patterns = [
    *network.urls.urlpatterns,
    path("network/meetings/<int:meeting_pk>/", _page, name="meeting_detail"),
    path("network/action-items/<int:actionitem_pk>/", _page, name="action_item_detail"),
]
urlpatterns = [pattern for pattern in site if getattr(pattern, "namespace", None) != "network"] + [
    path("", include((network_patterns, "network")))
]
