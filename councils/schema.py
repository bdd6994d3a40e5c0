"""Describes the council token scheme in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from councils.permissions import TOKEN_SCOPES


class CouncilTokenScheme(OpenApiAuthenticationExtension):
    target_class = "councils.api_auth.CouncilTokenAuthentication"
    name = "councilToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>`. A token belongs to one council and carries scopes: "
                + ", ".join(sorted(TOKEN_SCOPES))
                + "."
            ),
        }
