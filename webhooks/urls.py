from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("<int:webhooksubscription_pk>/", views.subscription_detail, name="detail"),
    path("<int:webhooksubscription_pk>/toggle/", views.subscription_toggle, name="toggle"),
    path("<int:webhooksubscription_pk>/rotate-secret/", views.subscription_rotate, name="rotate"),
    path("<int:webhooksubscription_pk>/delete/", views.subscription_delete, name="delete"),
    path("deliveries/<int:webhookdelivery_pk>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
