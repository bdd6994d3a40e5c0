"""CI: Schemathesis over every API operation of the production server (issue 11), once with a
council system's token (every scope) and once with a person's browser session, each bounded in
time: zero server errors, every status code, content type and response body as the schema
documents them. Usage: fuzz.py PORT TOKEN USER PASSWORD [SECONDS]."""

import http.client
import re
import subprocess
import sys
import urllib.parse

PORT, TOKEN, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
SECONDS = sys.argv[5] if len(sys.argv) > 5 else "75"
HOST = "127.0.0.1"
HTTPS = {"X-Forwarded-Proto": "https", "Host": f"{HOST}:{PORT}"}
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def session_cookies() -> dict[str, str]:
    """Sign in through the form, as a person does; the session and CSRF cookies."""
    jar: dict[str, str] = {}

    def call(method, path, body=None, headers=None):
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
        return answer.status, answer.read().decode("utf-8", "replace")

    status, body = call("GET", "/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": USER, "password": PASSWORD, "next": "/"}
    )
    status, _ = call(
        "POST",
        "/accounts/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{HOST}:{PORT}/accounts/login/",
        },
    )
    assert status == 302 and "sessionid" in jar, status
    return jar


def fuzz(label: str, headers: list[str]) -> int:
    command = [
        ".venv/bin/schemathesis",
        "run",
        f"http://{HOST}:{PORT}/api/schema/",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-time",
        SECONDS,
        # One worker: Hypothesis describes its strategies by parsing source, which Python 3.11
        # cannot do from two threads at once ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--continue-on-failure",
        "--warnings",
        "off",
        "--seed",
        "2026",
        "-H",
        "X-Forwarded-Proto: https",
    ]
    for header in headers:
        command += ["-H", header]
    print(f"Schemathesis with {label}, {SECONDS} s:", flush=True)
    return subprocess.run(command, check=False).returncode


cookies = session_cookies()
session = [
    "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()),
    f"X-CSRFToken: {cookies.get('csrftoken', '')}",
    f"Origin: https://{HOST}:{PORT}",
    f"Referer: https://{HOST}:{PORT}/",
]
failed = fuzz("a council system's token", [f"Authorization: Token {TOKEN}"])
failed |= fuzz("a person's session", session)
sys.exit(1 if failed else 0)
