"""The API's OpenAPI schema (``DEFAULT_SCHEMA_CLASS``), made precise once for every operation: error
responses as problem details, the conditional-request, idempotency and Location headers, integer ids
with bounds, value patterns, enumerated ordering, generated operation summaries and per-resource tags
(``postprocess`` describes each tag with its viewset's docstring)."""

import inspect

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.filters import OrderingFilter

from core.concurrency import VersionedModel
from web import sync
from web.problems import ProblemDetailsSerializer

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Big and small first: Django's AutoField is an isinstance of both (its metaclass says so).
MAX_ID = {models.BigAutoField: 2**63 - 1, models.SmallAutoField: 2**15 - 1, models.AutoField: 2**31 - 1}
# What web.idempotency accepts: 1–255 printable characters (not the empty quoted string).
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r'^(?!""$)[\x20-\x7e]+$'}


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field (`field`, `code`, `message`).",
    "401": "Not authenticated: send a session cookie or 'Authorization: Bearer <token>'.",
    "403": "Authenticated but not allowed to do this.",
    "404": "No such object among those you may see (or no such page of a list).",
    "406": "None of the media types in Accept can be served (JSON; problem JSON for errors).",
    "409": "Conflict: other records still refer to this one (`blocked_by` names them), a change made at the same "
    "time got there first (reload and retry), or the record's state refuses it (a submitted or approved period "
    "is locked).",
    "410": "Gone: deletes since this changed_since are no longer kept (code changes_expired); copy everything "
    "again with changed_since=0.",
    "412": "Precondition failed: the record changed since the version you sent (If-Match); read it again and "
    "reapply your change.",
    "415": "The body is not JSON (or, for an upload, not multipart/form-data).",
    "422": "This Idempotency-Key was used before with a different request body.",
    "428": "Precondition required: send If-Match with the ETag you read.",
    "429": "Too many requests for this token or user; retry after Retry-After seconds.",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
CHANGES = ("PUT", "PATCH", "DELETE")


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A named API token (see 'API tokens' in the app); it carries one of your memberships.",
        }


def value_pattern(validators) -> str | None:
    """The pattern of a value checked by one of the domain's format validators (school year, month):
    the one its owner documents (core.validators.documented_pattern)."""
    return next((validator.pattern for validator in validators if hasattr(validator, "pattern")), None)


def id_schema(model_field) -> dict:
    """An id: an integer from 1 to the largest its column holds."""
    maximum = next((top for kind, top in MAX_ID.items() if isinstance(model_field, kind)), 2**31 - 1)
    return {"type": "integer", "minimum": 1, "maximum": maximum}


class ZonePortfolioSchema(AutoSchema):
    """Every operation's errors, headers, parameters and summary, from the view it documents."""

    # --- what the view is ---

    def _model(self):
        return getattr(getattr(self.view, "queryset", None), "model", None)

    def _versioned(self) -> bool:
        model = self._model()
        return model is not None and issubclass(model, VersionedModel)

    def _detail(self) -> bool:
        return "{" in self.path and not self._is_list_view()

    def _syncs(self) -> bool:
        """A list that answers ``?changed_since=`` (web.sync)."""
        return self.method == "GET" and self._is_list_view() and not self._detail() and sync.syncs(self.view)

    def _get_paginator(self):
        """The paginator knows its view: a tracked list documents the sync envelope too (web.sync)."""
        paginator = super()._get_paginator()
        if paginator is not None:
            paginator.view = self.view
        return paginator

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and bool(self._get_request_body())

    # --- summaries, descriptions, tags ---

    def get_tags(self) -> list[str]:
        """One tag per resource: the router prefix (``zones``, ``status-updates``)."""
        return self._tokenize_path()[:1] or ["api"]

    def get_summary(self) -> str | None:
        """Summaries like "List zones" and "Read one zone": the resource by its URL name, one by its model's."""
        model = self._model()
        if model is None:
            return None
        many = " ".join(self.get_tags()[0].split("-"))
        one = str(model._meta.verbose_name)
        if many != str(model._meta.verbose_name_plural).lower():  # e.g. school-progress: one school
            one = f"{one} ({many})"
        a_one = f"{'an' if one[0] in 'aeiou' else 'a'} {one}"
        standard = {
            "list": f"List {many}",
            "create": f"Create {a_one}",
            "retrieve": f"Read one {one}",
            "update": f"Change {a_one}",
            "partial_update": f"Change some fields of {a_one}",
            "destroy": f"Delete {a_one}",
        }
        action = getattr(self.view, "action", None)
        if action in standard:
            return standard[action]
        name = (action or self.method.lower()).replace("_", " ").capitalize()
        return f"{name}: {one if self._detail() else many}"

    def get_description(self) -> str:
        """The action's own docstring, if it has one; the viewset's is its tag's description."""
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own = inspect.getdoc(action) if action is not None and action.__doc__ else ""
        notes = []
        if self._is_list_view() and self.method == "GET":
            notes.append("Only what you may see; filter, order and page with the parameters below.")
        if self.method in ("PUT", "PATCH", "DELETE"):
            notes.append("Send the ETag you read as If-Match: a stale version gets 412, not a lost update.")
        if self.method == "POST":
            notes.append("A retry with the same Idempotency-Key and body gets the first answer again.")
        return "\n\n".join([own, *notes] if own else notes)

    # --- parameters ---

    def get_override_parameters(self):
        return list(super().get_override_parameters()) + self._header_parameters()

    def _header_parameters(self) -> list:
        """Request headers (Idempotency-Key, If-None-Match, If-Match) and response headers (ETag, Location)."""
        header = OpenApiParameter.HEADER
        parameters = []
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    IDEMPOTENCY_KEY_SCHEMA,
                    location=header,
                    description="Any unique string (e.g. a UUID): a retry with the same key and body gets the first "
                    "response again (Idempotent-Replayed: true); the same key with another body gets 422.",
                )
            )
            parameters.append(
                OpenApiParameter(
                    "Location", str, location=header, response=["201"], description="The URL of what was created."
                )
            )
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    location=header,
                    description="The ETag you read: 304 without a body if it is still current.",
                )
            )
        if self.method in ("GET", "PUT", "PATCH"):
            versioned = self._versioned() and self._detail()
            version = 'the record\'s version, quoted (e.g. "3")' if versioned else "a hash of the body"
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    location=header,
                    response=["200", "304"] if self.method == "GET" else ["200"],
                    description=f"A strong validator: {version}. Send it back as If-None-Match or If-Match.",
                )
            )
        if self.method in CHANGES and self._detail():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    location=header,
                    description='The ETag you read (e.g. "3"): the change is made only if the record is still '
                    "at that version, else 412.",
                )
            )
        return parameters

    def _resolve_path_parameters(self, variables):
        """``{id}`` is the integer primary key (the router's converter says only "str")."""
        parameters = super()._resolve_path_parameters(variables)
        model = self._model()
        lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", "pk")
        integer_pk = model is not None and isinstance(model._meta.pk, tuple(MAX_ID))
        for parameter in parameters:
            if integer_pk and parameter["name"] in (lookup, "id", "pk"):
                parameter["schema"] = id_schema(model._meta.pk)
        return parameters

    def _get_filter_parameters(self):
        """Filters typed from their model fields: ids bounded, formats with their pattern, and the
        ordering parameter an enum of the allowed fields and their ``-`` forms."""
        parameters = super()._get_filter_parameters()
        model = self._model()
        filterset_class = self._filterset_class()
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in parameters:
            schema = parameter.get("schema", {})
            name = parameter["name"]
            if self._ordering_parameter() == name:
                allowed = self._ordering_fields()
                if allowed:
                    schema["enum"] = [value for field in allowed for value in (field, f"-{field}")]
                continue
            model_field = self._filter_model_field(model, filters.get(name))
            if model_field is None:
                continue
            target = model_field.related_model._meta.pk if model_field.is_relation else model_field
            if schema.get("type") == "integer" and (target.primary_key or model_field.is_relation):
                schema.update({key: value for key, value in id_schema(target).items() if key != "type"})
            elif schema.get("type") == "array" and schema.get("items", {}).get("type") == "integer":
                schema["items"].update({k: v for k, v in id_schema(target).items() if k != "type"})
            elif schema.get("type") == "string" and (pattern := value_pattern(model_field.validators)):
                schema["pattern"] = pattern
        return parameters

    def _filterset_class(self):
        backend = next((b for b in self.get_filter_backends() if hasattr(b, "get_filterset_class")), None)
        queryset = getattr(self.view, "queryset", None)
        if backend is None or queryset is None:
            return None
        return backend().get_filterset_class(self.view, queryset)

    @staticmethod
    def _filter_model_field(model, filter_):
        if model is None or filter_ is None:
            return None
        try:
            field = model._meta.get_field(filter_.field_name.split("__")[0])
        except FieldDoesNotExist:  # an annotation or a method filter
            return None
        return field if "__" not in filter_.field_name or field.is_relation else None

    def _ordering_parameter(self):
        if any(issubclass(backend, OrderingFilter) for backend in self.get_filter_backends()):
            return OrderingFilter.ordering_param
        return None

    def _ordering_fields(self) -> list[str]:
        fields = getattr(self.view, "ordering_fields", None)
        if fields in (None, "__all__"):
            return []
        return [field if isinstance(field, str) else field[0] for field in fields]

    # --- bodies ---

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and field.read_only:
            schema = self._read_only_blanks(field, schema)
        if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            target = getattr(getattr(field, "queryset", None), "model", None)
            pk = target._meta.pk if target is not None else None
            if isinstance(pk, tuple(MAX_ID)):
                schema.update({key: value for key, value in id_schema(pk).items() if key != "type"})
        if schema.get("type") == "string":
            pattern = value_pattern(getattr(field, "validators", []))
            if pattern:
                schema["pattern"] = pattern
            elif schema.get("format") == "decimal" and "pattern" in schema:
                # drf-spectacular's \d{0,n} accepts "", "-" and "."; a number has a digit before any point.
                schema["pattern"] = schema["pattern"].replace(r"\d{0,", r"\d{1,", 1).replace(r"\.\d{0,", r"\.\d{1,")
        return schema

    @staticmethod
    def _read_only_blanks(field, schema) -> dict:
        """A read-only field keeps what its model column allows: null anywhere along its source
        (``event.zone`` of an event without a zone) and a blank choice (DRF drops both kwargs)."""
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        path = []
        for name in (field.source or "").split(".") if model is not None and field.source != "*" else []:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                break
            path.append(model_field)
            model = model_field.related_model if model_field.is_relation else None
            if model is None:
                break
        if any(getattr(step, "null", False) for step in path):
            schema["nullable"] = True
        if path and path[-1].choices and getattr(path[-1], "blank", False) and "" not in schema.get("enum", [""]):
            schema["enum"] = [*schema["enum"], ""]  # the enum hook makes it TermStatusEnum or BlankEnum
        return schema

    def _map_basic_serializer(self, serializer, direction):
        """A model's every read field is in its response (a default makes a field optional to send,
        not to receive): all are required, so typed clients need no "unset" checks."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            read = [name for name, field in serializer.fields.items() if not field.write_only]
            schema["required"] = [name for name in read if name in schema.get("properties", {})]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code >= "400" and not response.get("content"):  # an error documented by its description alone
                problem = self._get_response_for_code(
                    ProblemDetailsSerializer, code, media_types=[PROBLEM_MEDIA_TYPE], direction=direction
                )
                response["content"] = problem["content"]
        if self.method == "GET":
            responses.setdefault("304", self._get_response_for_code(None, "304", direction=direction))
            responses["304"]["description"] = "Not modified: the ETag sent as If-None-Match is still current."
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "406", "429"]
        if self._has_body():
            codes.append("415")
        if self.method in WRITES:
            codes.append("409")
        if self.method == "POST":
            codes.append("422")
        if self._syncs():
            codes.append("410")
        if self.method in CHANGES and self._detail():
            codes += ["412", "428"]
        return sorted(codes)


def postprocess(result, generator, request, public):
    """Describe each tag (a resource) with its viewset's docstring, once (``POSTPROCESSING_HOOKS``)."""
    descriptions = {}
    for path, _regex, method, callback in generator.endpoints:
        view_class = getattr(callback, "cls", None)
        operation = result["paths"].get(path, {}).get(method.lower(), {})
        if view_class is not None and view_class.__doc__:
            for tag in operation.get("tags", []):
                descriptions.setdefault(tag, inspect.getdoc(view_class))
    used = sorted({tag for item in result["paths"].values() for op in item.values() for tag in op.get("tags", [])})
    result["tags"] = [{"name": tag, "description": descriptions.get(tag, "")} for tag in used]
    return result
