"""The API's content negotiation (``DEFAULT_CONTENT_NEGOTIATION_CLASS``).

``Accept: application/problem+json`` (what a client that reads our errors may send, alone or with
``application/json``) is answered like ``application/json``: the problem JSON of an error, the JSON
of a success. Any other media type is negotiated as DRF does (e.g. ``text/csv`` when a renderer
offers it); an error is always problem JSON, whatever was accepted (web.problems)."""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation

from web.problems import PROBLEM_CONTENT_TYPE


class ApiContentNegotiation(DefaultContentNegotiation):
    def get_accept_list(self, request):
        return [
            "application/json" + media[len(PROBLEM_CONTENT_TYPE) :] if media.startswith(PROBLEM_CONTENT_TYPE) else media
            for media in super().get_accept_list(request)
        ]

    def select_renderer(self, request, renderers, format_suffix=None):
        """``?format=`` names a renderer; sent empty it names none, which is a 400, not the default."""
        name = self.settings.URL_FORMAT_OVERRIDE
        if name and name in request.query_params and not request.query_params[name]:
            raise exceptions.ValidationError({name: ["Name a format: json or csv (or leave the parameter out)."]})
        return super().select_renderer(request, renderers, format_suffix)
