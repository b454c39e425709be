"""API v1 ``comments``: the comments the token's user may read (the tenant wall applies each
comment's visibility), filtered by subject, needs action, open and owner; a comment or reply is
posted and a needs-action comment resolved through comments.services, like on the pages. A
comment is not changed or deleted through the API."""

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from web.rest import IdFilter, ScopedModelViewSet
from web.sync import ChangeStampsMixin

from . import services
from .choices import Subject, Visibility
from .models import MAX_BODY, Comment
from .subjects import SUBJECTS, placement, thread_url


class CommentSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    subject_label = serializers.CharField(source="get_subject_display", read_only=True)
    subject_id = serializers.SerializerMethodField()
    visibility_label = serializers.CharField(source="get_visibility_display", read_only=True)
    author_name = serializers.StringRelatedField(source="author", read_only=True, allow_null=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True, allow_null=True)
    resolved_by_name = serializers.StringRelatedField(source="resolved_by", read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    thread_url = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "subject",
            "subject_label",
            "subject_id",
            "state",
            "zone",
            "parent",
            "author",
            "author_name",
            "body",
            "visibility",
            "visibility_label",
            "needs_action",
            "owner",
            "owner_name",
            "is_open",
            "resolved_at",
            "resolved_by",
            "resolved_by_name",
            "created_at",
            "thread_url",
        ]
        read_only_fields = fields

    def get_subject_id(self, comment) -> int:
        return getattr(comment, f"{SUBJECTS[comment.subject].field}_id")

    def get_thread_url(self, comment) -> str:
        return thread_url(comment)


class CommentInputSerializer(serializers.Serializer):
    """A new comment, or a reply (``parent``) on the same subject."""

    subject = serializers.ChoiceField(choices=Subject.choices)
    subject_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The id of the subject.")
    body = serializers.CharField(max_length=MAX_BODY)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, help_text="Default: the parent's, else everyone."
    )
    parent = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    needs_action = serializers.BooleanField(default=False)
    owner = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True, help_text="Who must act (needs action)."
    )


class CommentFilter(filters.FilterSet):
    id = IdFilter(field_name="id")
    subject = filters.ChoiceFilter(choices=Subject.choices)
    subject_id = IdFilter(method="filter_subject_id", help_text="The subject's id (with ``subject``).")
    needs_action = filters.BooleanFilter()
    open = filters.BooleanFilter(method="filter_open", help_text="Needs action and not resolved (or resolved).")
    owner = filters.CharFilter(method="filter_owner", help_text='"me", or a user id.')

    class Meta:
        model = Comment
        fields = ["id", "subject", "subject_id", "needs_action", "open", "owner", "visibility"]

    def filter_subject_id(self, queryset, name, value):
        on_subject = Q(pk__in=[])
        for kind in SUBJECTS.values():
            on_subject |= Q(subject=kind.subject, **{f"{kind.field}_id": value})
        return queryset.filter(on_subject)

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.open_needing_action()
        return queryset.filter(needs_action=True, resolved_at__isnull=False)

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        if value.isdigit() and int(value) < 2**63:
            return queryset.filter(owner_id=int(value))
        raise serializers.ValidationError({"owner": ['"me" or a user id.']})


class CommentViewSet(ScopedModelViewSet):
    """Comments on schools, zones, status updates, period submissions and annual reviews; post one
    (or a reply) and resolve a needs-action one. Only the comments you may read are listed."""

    queryset = Comment.objects.select_related("author", "owner", "resolved_by")
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["created_at", "id"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        self.check_may_add()
        given = CommentInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        kind = SUBJECTS[Subject(data.pop("subject"))]
        subject_obj = kind.model.objects.select_related(*kind.related).filter(pk=data.pop("subject_id")).first()
        if subject_obj is None:
            raise serializers.ValidationError({"subject_id": [f"No such {kind.subject.label.lower()}."]})
        parent_pk, owner_pk = data.pop("parent", None), data.pop("owner", None)
        parent = Comment.objects.filter(pk=parent_pk).first() if parent_pk else None
        if parent_pk and parent is None:
            raise serializers.ValidationError({"parent": ["No such comment."]})
        owner = None
        if owner_pk:
            owner = services.owner_candidates(Comment(**placement(subject_obj))).filter(pk=owner_pk).first()
            if owner is None:
                raise serializers.ValidationError(
                    {"owner": ["Choose a state lead or a staff member of the zone's Lead Partner."]}
                )
        comment = services.post_comment(subject_obj, by=request.user, parent=parent, owner=owner, **data)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CommentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def resolve(self, request, pk=None):
        """Resolve an open needs-action comment (its owner, its author, or a state lead): the use
        case asks the permission table (``comments.resolve_comment``), not the change permission."""
        comment = services.resolve(self.get_object(), by=request.user)
        return Response(self.get_serializer(comment).data)
