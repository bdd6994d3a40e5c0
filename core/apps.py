from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import seen_at_sign_in

        user_logged_in.connect(seen_at_sign_in, dispatch_uid="core.seen_at_sign_in")

        # Every model serializer's date takes only plausible dates, as the declared ones do.
        from django.db import models
        from rest_framework import serializers

        from core.api import PlausibleDateField

        serializers.ModelSerializer.serializer_field_mapping[models.DateField] = PlausibleDateField
