from django.urls import path

from notices import api, api_webhooks, views, views_webhooks

urlpatterns = [
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/new/", views.letter_new, name="letter-new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("webhooks/", views_webhooks.webhook_list, name="webhook-list"),
    path("webhooks/<int:pk>/", views_webhooks.webhook_detail, name="webhook-detail"),
]

api_routes = [
    ("letters", api.LetterViewSet, "letter"),
    ("letter-deliveries", api.DeliveryViewSet, "letter-delivery"),
    ("webhooks", api_webhooks.SubscriptionViewSet, "webhook"),
    ("webhook-deliveries", api_webhooks.HookDeliveryViewSet, "webhook-delivery"),
]
