"""A minimal browser for CI's checks of the production server: keeps cookies by hand
(production marks them Secure, and CI talks plain HTTP to 127.0.0.1 behind a pretend proxy
saying HTTPS) and signs in as a person does: password, then the authenticator app's code."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import re
import struct
import time
import urllib.parse


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238: the 6-digit code an authenticator app shows for this key now."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


class Browser:
    def __init__(self, host: str, port: int, host_header: str | None = None):
        self.host, self.port = host, port
        self.headers = {"X-Forwarded-Proto": "https", "Host": host_header or host}
        self.jar: dict[str, str] = {}

    def call(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        sent = {**self.headers, **(headers or {})}
        if self.jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        conn.request(method, path, body=body, headers=sent)
        answer = conn.getresponse()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.jar[key] = rest.split(";", 1)[0]
        text = answer.read().decode("utf-8", "replace")
        return answer.status, dict(answer.getheaders()), text

    def _post_form(self, path: str, fields: dict) -> tuple[int, dict, str]:
        status, _, body = self.call("GET", path)
        assert status == 200, (path, status)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        return self.call(
            "POST",
            path,
            urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **fields}),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{self.headers['Host']}{path}",
            },
        )

    def sign_in(self, username: str, password: str, totp_key: str) -> None:
        status, headers, _ = self._post_form(
            "/accounts/login/", {"username": username, "password": password, "next": "/"}
        )
        assert status == 302, ("password", status)
        status, headers, _ = self._post_form(
            "/accounts/two-factor/", {"code": totp(totp_key), "next": "/"}
        )
        assert status == 302 and headers.get("Location") == "/", ("code", status, headers)
