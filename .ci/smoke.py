"""CI: the production server as deployed (gunicorn, production settings, PostgreSQL, Redis)
answers /readyz and a signed-in page. Cookies are carried by hand: production marks them
Secure, and this talks to 127.0.0.1 over plain HTTP behind a pretend proxy saying HTTPS."""

import http.client
import re
import sys
import time
import urllib.parse

HOST, PORT = "127.0.0.1", int(sys.argv[1])
USER, PASSWORD = sys.argv[2], sys.argv[3]
HTTPS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
jar: dict[str, str] = {}


def call(method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=20)
    sent = {**HTTPS, **(headers or {})}
    if jar:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request(method, path, body=body, headers=sent)
    answer = conn.getresponse()
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8", "replace")


for _ in range(60):  # the server starting
    try:
        if call("GET", "/healthz")[0] == 200:
            break
    except OSError:
        pass
    time.sleep(0.5)
status, _, body = call("GET", "/readyz")
assert status == 200 and '"database": "ok"' in body and '"broker": "ok"' in body, (status, body)
status, headers, body = call("GET", "/accounts/login/")
assert status == 200, status
assert "Content-Security-Policy" in headers, headers
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
form = urllib.parse.urlencode(
    {"csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": "/"}
)
status, headers, _ = call(
    "POST",
    "/accounts/login/",
    form,
    {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": "https://127.0.0.1/accounts/login/",
    },
)
assert status == 302, status
status, headers, body = call("GET", "/")
assert status == 200 and "Sign out" in body, (status, body[:300])
assert headers.get("Cache-Control") == "no-store", headers
status, _, css = call("GET", "/static/css/app.css")
assert status == 200 and ".app-waiting" in css, status
print("Production server: /readyz ready, a signed-in page served, static files served.")
