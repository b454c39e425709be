"""REST API plumbing shared by every app's ``api.py``: scoped viewsets, write permissions from the
permission table (accounts.permissions), model validation in serializers, sparse fields,
pagination and the documented error responses."""

from collections import Counter
from contextlib import ExitStack, contextmanager

from django import forms
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.urls import NoReverseMatch
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.relations import ManyRelatedField
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from core.concurrency import (
    DEADLOCK,
    LOCK_NOT_AVAILABLE,
    SERIALIZATION_FAILURE,
    StaleRecord,
    VersionedModel,
    sqlstate,
)
from core.deletion import StillNamed, describe
from core.permissions import ANYWHERE, permission_name
from core.reasons import REASON_HELP, REASON_MAX_LENGTH
from core.tenancy import reach_scope
from web.conditional import ConditionalRequestsMixin, PreconditionFailed
from web.filtering import (
    SPARSE_FIELDS_PARAMETER,
    AnyOfFilterBackend,
    KnownParametersFilter,
    StrictOrderingFilter,
    StrictPageSize,
    ordered_field,
    whole_number,
)
from web.idempotency import IdempotencyMixin
from web.problems import carrying
from web.renderers import CsvListsMixin
from web.sync import ChangedSincePages, ChangeStampsMixin
from web.transport import RateLimitHeadersMixin


@contextmanager
def refused_as_api_error():
    """The use case's refusal (the permission table's) as the API's 403 with its message."""
    try:
        yield
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error)) from error


class IdFilter(filters.NumberFilter):
    """Filter by the id of a related object. A plain number (not a choice among all objects), so
    an id from another tenant simply matches nothing instead of revealing that it exists."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)  # beyond a bigint is a 400, not a database error
        super().__init__(*args, **kwargs)


class NaturalKeyFilter(filters.CharFilter):
    """Filter by a key clients hold from elsewhere (an NCES id, a postal code, a metric code): an
    exact match within what the user may read, so another tenant's key simply matches nothing."""


class VisibleChoicesFilterBackend(AnyOfFilterBackend):
    """Every filter whose choices are rows (``?state=`` of imports, any model choice filter) offers
    only the rows the user may read, also in the browsable API's filter form: another tenant's id
    is "Select a valid choice" exactly like an id that does not exist."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        for field in filterset.form.fields.values() if filterset is not None else ():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset, "visible_to"):
                field.queryset = field.queryset.visible_to(request.user)
        return filterset


class PageNumberPages(ChangedSincePages, StrictPageSize, PageNumberPagination):
    """Numbered pages; ``page`` that is not a whole number from 1 is a 400, one past the last a 404.
    With ``?changed_since=`` a tracked list is a sync (web.sync)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        given = request.query_params.get(self.page_query_param)
        if given is None or given in self.last_page_strings:
            return super().get_page_number(request, paginator)
        number = whole_number(given)
        if number is None or number < 1:
            raise exceptions.ValidationError({self.page_query_param: ['A whole number from 1 (or "last").']})
        return number


class CursorPages(ChangedSincePages, StrictPageSize, CursorPagination):
    """For lists of millions of rows: ``next``/``previous`` links carry an opaque cursor, and there
    is no ``count`` (counting every row in scope would cost more than the page itself).

    The cursor holds the first ordering field's value and an offset among the rows sharing it, so
    the viewset's ``ordering`` starts with ``school_id``: a page is an index range of a few schools
    (the rows of one school stay far below the offset limit), also when scoped to one state,
    whereas an order by ``id`` would walk the other states' rows to find a state's first page."""

    page_size = PageNumberPages.page_size
    page_size_query_param = PageNumberPages.page_size_query_param
    max_page_size = PageNumberPages.max_page_size
    invalid_cursor_message = "Invalid cursor: use the next or previous link of a page as it was given."

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor that does not decode, or whose position is not a value of the first ordering
        field (e.g. ``p=1' OR 1=1--`` for an id, or a NUL byte), is a 400 instead of a database error."""
        invalid = exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise invalid from error
        if cursor is None or cursor.position is None:
            return cursor
        field = self.model._meta.get_field(ordered_field(self.ordering[0]))
        field = getattr(field, "target_field", field)  # a foreign key's position is the related id
        try:
            if "\x00" in cursor.position:
                raise DjangoValidationError("NUL byte")
            field.run_validators(field.to_python(cursor.position))
        except DjangoValidationError as error:
            raise invalid from error
        return cursor


class WritePermission(BasePermission):
    """Reads are scoped by the tenant wall; changing or deleting an object asks the
    permission table about that object. Adds are checked by the viewset on the unsaved object."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        action = "delete" if request.method == "DELETE" else "change"
        return request.user.has_perm(permission_name(type(obj), action), obj)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records still refer to this one."
    default_code = "conflict"


class WriteConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This change collided with another one made at the same time; reload the record and try again."
    default_code = "write_conflict"


class StateConflict(exceptions.APIException):
    """The record's state refuses the change: a locked period, a step its status does not allow."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's current state does not allow this change."
    default_code = "state_conflict"


# Codes of a Django ValidationError that says the record's state refuses the change (not bad
# input): a submitted or approved period ("locked"), a cycle step its status does not allow.
STATE_CONFLICT_CODES = {"locked", "wrong_step", "changed_since_proposed"}


def state_conflict(exc) -> StateConflict | None:
    """A Django ValidationError refusing a change because of the record's state, as a 409."""
    refused = isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict")
    if refused and any(error.code in STATE_CONFLICT_CODES for error in exc.error_list):
        return StateConflict(" ".join(exc.messages))
    return None


# A transaction that lost a race: deadlock, serialization failure, lock not available.
RACE_SQLSTATES = {DEADLOCK, SERIALIZATION_FAILURE, LOCK_NOT_AVAILABLE}


def race_answer(exc):
    """The API exception a write that lost a race (or broke a rule on the locked state) answers
    with, instead of a 500: a stale version → 412, a model rule raised while saving → 400, a
    unique key or lock that a concurrent write got first, or a state that refuses the change (a
    locked period) → 409. None for anything else."""
    if isinstance(exc, StaleRecord):
        return PreconditionFailed()
    conflict = state_conflict(exc)
    if conflict is not None:
        return conflict
    if isinstance(exc, DjangoValidationError):  # a rule checked on the locked state, while saving
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail)
    if isinstance(exc, IntegrityError):
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        what = f" (constraint {constraint})" if constraint else ""
        return WriteConflict(f"This change conflicts with a record saved at the same time{what}; reload and try again.")
    if isinstance(exc, OperationalError) and sqlstate(exc) in RACE_SQLSTATES:
        return WriteConflict()
    return None


class RaceAnswersMixin:
    """Races that end in the database answer 412/409/400 (``race_answer``) instead of a 500; the
    API's exception handler formats them. Versions, ETags and If-Match are
    web.conditional.ConditionalRequestsMixin's."""

    def handle_exception(self, exc):
        answer = race_answer(exc)
        return super().handle_exception(answer if answer is not None else exc)


class SparseFieldsMixin:
    """``?fields=a,b`` on a GET keeps only those top-level fields; a name the resource does not have
    is a 400 naming it (like an unknown filter), not silently a smaller object."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = (
            request.query_params.get(SPARSE_FIELDS_PARAMETER)
            if request is not None and request.method == "GET"
            else None
        )
        if wanted:
            keep = {name.strip() for name in wanted.split(",")}
            unknown = sorted(keep - set(self.fields))
            if unknown:
                known = ", ".join(self.fields)
                message = f"Unknown field {', '.join(unknown)}. Known: {known}."
                raise serializers.ValidationError({SPARSE_FIELDS_PARAMETER: [message]})
            for name in set(self.fields) - keep:
                self.fields.pop(name)


class VisibleRelationsMixin:
    """Related-object choices are limited to what the user may read: another tenant's id "does
    not exist" exactly like an id that does not."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request is not None else None
        for field in fields.values():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            queryset = getattr(relation, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                relation.queryset = queryset.visible_to(user)
        return fields


class ModelCleanSerializer(SparseFieldsMixin, VisibleRelationsMixin, ChangeStampsMixin, serializers.ModelSerializer):
    """A model serializer that validates like a form: the model's ``full_clean`` runs on the object
    as it would be saved, related-object choices are limited to what the user may read, and the
    cleaned object (``candidate``) is what gets saved.

    Uniqueness is the model's to check (its constraints, across every state, with its messages:
    a duplicate names the existing record as ``existing``), not DRF's unique-together validators."""

    existing = None  # {id, url} of the record a refused duplicate repeats

    def get_validators(self):
        return list(getattr(self.Meta, "validators", ()))

    def is_valid(self, *, raise_exception=False):
        """A refused duplicate's problem JSON names the existing record: ``"existing": {id, url}``."""
        try:
            return super().is_valid(raise_exception=raise_exception)
        except serializers.ValidationError as error:
            if self.existing is not None:
                error.detail["existing"] = self.existing
            raise

    def get_fields(self):
        fields = super().get_fields()
        if issubclass(self.Meta.model, VersionedModel):
            fields["version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                max_value=2**31 - 1,
                help_text="The record's version (also its ETag). Send the one you read to change it only if "
                "nobody changed it since (412 otherwise); a PATCH without it changes only the fields it sends.",
            )
        return fields

    def _split_many_to_many(self, attrs):
        many = {name: attrs.pop(name) for name in list(attrs) if self.Meta.model._meta.get_field(name).many_to_many}
        return attrs, many

    def validate(self, attrs):
        attrs = super().validate(attrs)
        version = attrs.pop("version", None)
        if version is not None and self.instance is not None:
            try:
                self.instance.expect_version(version)
            except StaleRecord as error:
                raise PreconditionFailed() from error  # 412, not the 400 of a field error
        plain, many = self._split_many_to_many(dict(attrs))
        candidate = self.instance if self.instance is not None else self.Meta.model()
        for name, value in plain.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean()
            self.validate_related(candidate, many)
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if NON_FIELD_ERRORS in detail:  # the documented key of errors about the whole object
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            self.existing = self._existing_record(error)
            raise serializers.ValidationError(detail) from error
        self.candidate = candidate
        return attrs

    def _existing_record(self, error) -> dict | None:
        """{id, url} of the record a duplicate repeats (its model error names it), or None."""
        items = error.error_dict.get(NON_FIELD_ERRORS, []) if hasattr(error, "error_dict") else error.error_list
        for item in items:
            pk = (item.params or {}).get("existing")
            if pk is not None:
                name = f"api:{self.Meta.model._meta.model_name}-detail"
                try:
                    url = reverse(name, kwargs={"pk": pk}, request=self.context.get("request"))
                except NoReverseMatch:
                    url = None
                return {"id": pk, "url": url}
        return None

    def validate_related(self, candidate, many: dict) -> None:
        """Check many-to-many values against the candidate; raise a Django ValidationError."""

    def _save_candidate(self, validated_data):
        attrs, many = self._split_many_to_many(dict(validated_data))
        for name, value in attrs.items():
            setattr(self.candidate, name, value)
        self.candidate.save()
        for name, values in many.items():
            getattr(self.candidate, name).set(values)
        return self.candidate

    def create(self, validated_data):
        return self._save_candidate(validated_data)

    def update(self, instance, validated_data):
        return self._save_candidate(validated_data)


class ChangeReasonSerializerMixin:
    """For a model whose status changes only with a reason (core.reasons): a write-only ``reason``,
    required (400) when the write changes the status, kept in the change's history row."""

    def get_fields(self):
        fields = super().get_fields()
        fields["reason"] = serializers.CharField(
            write_only=True, required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, help_text=REASON_HELP
        )
        return fields

    def validate(self, attrs):
        reason = attrs.pop("reason", "").strip()
        status = attrs.get(self.Meta.model.reasoned_field)
        if self.instance is not None and status is not None and self.instance.status_changes(status) and not reason:
            raise serializers.ValidationError({"reason": ["Give the reason for changing the status."]})
        attrs = super().validate(attrs)
        if reason:
            self.candidate._change_reason = reason
        return attrs


class ScopedQuerysetMixin(IdempotencyMixin, ConditionalRequestsMixin, RateLimitHeadersMixin, CsvListsMixin):
    """Every query is the authenticated user's (a denied object is a 404): the view runs in the
    tenant wall's scope of that user (core.tenancy), which keeps every query to what the user may
    read. An API token is only authenticated here, inside the view, after the middleware entered
    the scope of the (anonymous) session, so the token's own, narrower reach is entered once
    authenticated."""

    filter_backends = [KnownParametersFilter, VisibleChoicesFilterBackend, StrictOrderingFilter]
    pagination_class = PageNumberPages
    ordering_fields = ["id"]

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as self.tenant_scope:
            response = super().dispatch(request, *args, **kwargs)
            # Rendered inside the token's scope: the browsable API builds its forms from querysets.
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.tenant_scope.enter_context(reach_scope(request.user))


class ScopedReadOnlyViewSet(RaceAnswersMixin, ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


# The reason a delete through the API keeps in the row's history (a DELETE carries no body).
DELETED_THROUGH_THE_API = "Deleted through the API"


class ScopedModelViewSet(RaceAnswersMixin, ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Reads are scoped; every write is checked against the permission table on the object as it
    would be saved (adds and changes) or as it is (changes and deletes)."""

    permission_classes = [*viewsets.ModelViewSet.permission_classes, WritePermission]

    def check_may_add(self) -> None:
        """Authorization before validation: someone who may add this kind of object nowhere gets a
        403 before the data is looked at (which would reveal, e.g., that an NCES id is taken)."""
        model = self.queryset.model
        if not self.request.user.has_perm(permission_name(model, "add"), ANYWHERE):
            raise exceptions.PermissionDenied(f"You may not add {model._meta.verbose_name_plural}.")

    def create(self, request, *args, **kwargs):
        self.check_may_add()
        return super().create(request, *args, **kwargs)

    def check_write(self, obj, action: str) -> None:
        if not self.request.user.has_perm(permission_name(type(obj), action), obj):
            raise exceptions.PermissionDenied(f"You may not {action} this {obj._meta.verbose_name}.")

    def perform_create(self, serializer):
        self.check_write(serializer.candidate, "add")
        serializer.save()

    def perform_update(self, serializer):
        self.check_write(serializer.candidate, "change")
        serializer.save()

    #: The owning app's delete use case, ``remove(obj, *, user)``, where deleting has rules of its
    #: own (nothing may name the row, a reason kept in its history): the API calls what the pages call.
    remove = None

    def perform_destroy(self, instance):
        """The owning app's delete use case when there is one, else the model's delete. Other
        records that name the row make it a 409 saying their kinds and how many there are
        (``blocked_by``), never which rows they are: some may be other tenants'."""
        try:
            if self.remove is None:
                instance.delete()
            else:
                with refused_as_api_error():
                    self.remove(instance, user=self.request.user)
        except StillNamed as refused:
            raise still_named_conflict(instance, refused.counts) from refused
        except (ProtectedError, RestrictedError) as error:
            blocking = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
            raise still_named_conflict(instance, Counter(type(obj) for obj in blocking)) from error


def still_named_conflict(instance, counts: Counter) -> Conflict:
    blocked_by = [{"kind": str(model._meta.verbose_name_plural), "count": count} for model, count in counts.items()]
    detail = f"This {instance._meta.verbose_name} cannot be deleted: {describe(counts)} still refer to it."
    return carrying(Conflict(detail), blocked_by=blocked_by)


class BatchedField(serializers.Field):
    """A read-only value per object, computed once for all the objects being serialized (the page
    of a list, or the one object), so a page costs the same few queries whatever its size.

    Subclasses implement ``compute(root_objects) -> batch`` and ``represent(obj, batch)``."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def root_objects(self) -> list:
        root = self.root
        return list(root.instance) if isinstance(root, serializers.ListSerializer) else [root.instance]

    def to_representation(self, obj):
        batches = self.context.setdefault("batches", {})
        if type(self) not in batches:
            batches[type(self)] = self.compute(self.root_objects())
        return self.represent(obj, batches[type(self)])

    def compute(self, root_objects):
        raise NotImplementedError

    def represent(self, obj, batch):
        raise NotImplementedError
