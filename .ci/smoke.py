"""CI: the production server as deployed (gunicorn, production settings, PostgreSQL, Redis)
answers /readyz and, after a person signs in (password and authenticator code), a page and
the static files. Usage: smoke.py PORT USER PASSWORD TOTP_KEY_HEX."""

import sys
import time

from browser import Browser

PORT = int(sys.argv[1])
USER, PASSWORD, TOTP_KEY = sys.argv[2], sys.argv[3], sys.argv[4]
browser = Browser("127.0.0.1", PORT)

for _ in range(60):  # the server starting
    try:
        if browser.call("GET", "/healthz")[0] == 200:
            break
    except OSError:
        pass
    time.sleep(0.5)
status, _, body = browser.call("GET", "/readyz")
assert status == 200 and '"database": "ok"' in body and '"broker": "ok"' in body, (status, body)
status, headers, body = browser.call("GET", "/accounts/login/")
assert status == 200, status
assert "Content-Security-Policy" in headers, headers
status, headers, _ = browser.call("GET", "/locations/")
assert status == 302, status  # nothing before signing in
browser.sign_in(USER, PASSWORD, TOTP_KEY)
status, headers, body = browser.call("GET", "/")
assert status == 200 and "Sign out" in body, (status, body[:300])
assert headers.get("Cache-Control") == "no-store", headers
status, _, css = browser.call("GET", "/static/css/app.css")
assert status == 200 and ".app-waiting" in css, status
print(
    "Production server: /readyz ready, a person signed in (password and authenticator code), "
    "a page and the static files served."
)
