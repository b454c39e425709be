"""The deletes feed: ``GET /api/v1/deletes/?changed_since=<version>[&resource=schools]``, the
deleted rows the caller could read, paged like every ``changed_since`` list (web.sync); without
``changed_since``, every delete still kept."""

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from web.rest import ScopedQuerysetMixin
from web.transport import UtcDateTimeField

from . import resources
from .models import Tombstone


class DeleteSerializer(serializers.ModelSerializer):
    resource = serializers.SerializerMethodField(help_text="The API resource it was listed in (e.g. schools).")
    id = serializers.IntegerField(source="object_id", read_only=True, help_text="The deleted row's id.")
    deleted_at = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Tombstone
        fields = ["change_version", "resource", "model", "id", "natural_key", "deleted_at"]
        read_only_fields = fields

    def get_resource(self, tombstone) -> str | None:
        return resources.prefix_of(tombstone.model)


class DeleteFilter(filters.FilterSet):
    resource = filters.ChoiceFilter(choices=resources.choices, method="of_resource", help_text="A resource's name.")

    class Meta:
        model = Tombstone
        fields = ["resource"]

    def of_resource(self, queryset, name, value: str):
        return queryset.filter(model=resources.model_label(value))


class DeleteViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Deleted rows you could read, with their natural keys (NCES ids, postal codes, metric codes),
    in change order since ``changed_since``; kept for the retention period, after which an older
    ``changed_since`` is a 410 (without it: every delete still kept)."""

    queryset = Tombstone.objects.all()
    serializer_class = DeleteSerializer
    filterset_class = DeleteFilter
    change_feed = True
    ordering_fields = []
