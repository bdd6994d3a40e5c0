"""A local fake OpenID Connect provider on 127.0.0.1 (standing in for Microsoft Entra ID): its
token endpoint answers a code with an RS256-signed identity token carrying the nonce it is told,
its JWKS endpoint publishes the public key, its userinfo endpoint the person's claims."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "oversight-test"
CLIENT_SECRET = "test-secret"
KID = "test-key-1"


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.nonce = ""
        self.audience = CLIENT_ID
        self.issuer_override: str | None = None
        self.token_requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/tenant/v2.0"

    def settings(self) -> dict:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/keys",
            "OIDC_RP_SIGN_ALGO": "RS256",
        }

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer_override or self.issuer,
            "aud": self.audience,
            "sub": "entra-object-id-1",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "nonce": self.nonce,
            **{k: v for k, v in self.claims.items() if k == "email"},
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KID})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 (the standard library's name)
                if self.path.startswith("/keys"):
                    jwk = json.loads(RSAAlgorithm.to_jwk(fake.key.public_key()))
                    self._send(200, {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})
                elif self.path.startswith("/userinfo"):
                    if self.headers.get("Authorization") != "Bearer access-1":
                        self._send(401, {"error": "invalid_token"})
                    else:
                        self._send(200, {"sub": "entra-object-id-1", **fake.claims})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.token_requests.append(form)
                if form.get("client_secret") != CLIENT_SECRET or not form.get("code_verifier"):
                    self._send(400, {"error": "invalid_client"})
                    return
                self._send(
                    200,
                    {
                        "access_token": "access-1",
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": fake.id_token(),
                    },
                )

            def log_message(self, *args):
                pass

        return Handler
