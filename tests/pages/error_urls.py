"""The project's URLs plus a page that fails, to see the 500 page a reader gets."""

from django.urls import path

from config.urls import *  # noqa: F403 (the error handlers too)
from config.urls import urlpatterns as project_urlpatterns


def broken_page(request):
    raise RuntimeError("secret internals: the password is hunter2")


urlpatterns = [*project_urlpatterns, path("broken/", broken_page)]
