from django.urls import path

from councils import api, views

urlpatterns = [
    path("council/switch/", views.council_switch, name="council-switch"),
    path("council/policy/", views.policy, name="policy"),
    path("council/policy/diff/", views.policy_diff, name="policy-diff"),
    path("council/people/", views.people, name="people"),
    path("council/tokens/", views.tokens, name="tokens"),
    path("council/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]

api_routes = [
    ("policy-versions", api.PolicyVersionViewSet, "policy-version"),
    ("delegations", api.DelegationViewSet, "delegation"),
]
api_urlpatterns = [path("council/", api.CurrentCouncilView.as_view(), name="current-council")]
