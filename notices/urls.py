from django.urls import path

from notices import api, views

urlpatterns = [
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
]

api_routes = [
    ("letters", api.LetterViewSet, "letter"),
    ("letter-deliveries", api.DeliveryViewSet, "letter-delivery"),
]
