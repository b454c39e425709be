from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Browser pages: shared layout helpers"

    def ready(self):
        from django.db import models
        from rest_framework import serializers

        from web.transport import UtcDateTimeField

        # Every API model serializer writes date-times in UTC (declared fields use UtcDateTimeField).
        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = UtcDateTimeField
