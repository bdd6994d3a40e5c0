from django.urls import include, path

from councils import about, api, twofactor, views, work

urlpatterns = [
    path("council/switch/", views.council_switch, name="council-switch"),
    path("help/", about.help_page, name="help"),
    path("accessibility/", about.accessibility, name="accessibility"),
    path("privacy/", about.privacy, name="privacy"),
    path("council/policy/", views.policy, name="policy"),
    path("council/policy/diff/", views.policy_diff, name="policy-diff"),
    path("council/people/", views.people, name="people"),
    path("council/tokens/", views.tokens, name="tokens"),
    path("council/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
    path("timers/", work.my_timers, name="my-timers"),
    path("timers/overdue/", work.overdue_timers, name="overdue-timers"),
    path("account/", work.account, name="account"),
    path("accounts/two-factor/", twofactor.two_factor, name="two-factor"),
    path("accounts/two-factor/set-up/", twofactor.two_factor_set_up, name="two-factor-set-up"),
    path("oidc/", include("mozilla_django_oidc.urls")),
]

api_routes = [
    ("policy-versions", api.PolicyVersionViewSet, "policy-version"),
    ("delegations", api.DelegationViewSet, "delegation"),
    ("timers", api.TimerViewSet, "timer"),
]
api_urlpatterns = [path("council/", api.CurrentCouncilView.as_view(), name="current-council")]
