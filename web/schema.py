"""The API's OpenAPI schema (``DEFAULT_SCHEMA_CLASS``): error responses, conditional-request
headers and the ``fields`` parameter every operation documents, and the API token scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.concurrency import VersionedModel
from web.rest import SparseFieldsMixin


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name (or ``non_field_errors``) → list of messages."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages by field name (or non_field_errors).",
    "401": "Not authenticated: send a session cookie or 'Authorization: Bearer <token>'.",
    "403": "Authenticated but not allowed to do this.",
    "404": "No such object among those you may see (or no such page of a list).",
    "409": "Conflict: other records still refer to this one, a change made at the same time got there first "
    "(reload and retry), or the record's state refuses it (a submitted or approved period is locked).",
    "412": "Precondition failed: the record changed since the version you sent (If-Match or version); "
    "read it again and reapply your change.",
    "429": "Too many requests for this token or user; retry later.",
}


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A named API token (see 'API tokens' in the app); it carries one of your memberships.",
        }


class ZonePortfolioSchema(AutoSchema):
    """Adds the error responses every operation may return, and the ``fields`` parameter."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        serializer_class = getattr(self.view, "get_serializer_class", lambda: None)()
        if self.method == "GET" and serializer_class and issubclass(serializer_class, SparseFieldsMixin):
            parameters.append(
                OpenApiParameter(
                    "fields",
                    str,
                    description="Comma-separated names of the fields to return, e.g. id,name (others are left out).",
                )
            )
        return parameters + self._version_parameters()

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, SparseFieldsMixin):
            schema.pop("required", None)  # ?fields= may leave any field out
        return schema

    def _versioned(self) -> bool:
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        return model is not None and issubclass(model, VersionedModel)

    def _versioned_detail(self) -> bool:
        return self._versioned() and not self._is_list_view() and self.method in ("GET", "PUT", "PATCH", "DELETE")

    def _version_parameters(self) -> list:
        """If-Match on changes and ETag on the responses of a versioned record (core.concurrency)."""
        parameters = []
        if self._versioned_detail() and self.method != "GET":
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    location=OpenApiParameter.HEADER,
                    description='The ETag you read (e.g. "3"): the change is made only if the record is still '
                    "at that version, else 412.",
                )
            )
        if self._versioned_detail() and self.method != "DELETE":
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    location=OpenApiParameter.HEADER,
                    response=["200"],
                    description="The record's version, quoted; send it back as If-Match to change it safely.",
                )
            )
        return parameters

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self._versioned_detail() and self.method != "GET":
            codes.append("412")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            serializer = ValidationErrorSerializer if code == "400" else ErrorSerializer
            responses[code] = self._get_response_for_code(serializer, code, direction=direction)
            responses[code]["description"] = ERROR_DESCRIPTIONS[code]
        return responses
