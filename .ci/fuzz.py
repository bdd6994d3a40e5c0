"""CI: Schemathesis over every API operation of the production server (issue 11), once with a
council system's token (every scope) and once with a person's browser session, each bounded in
time: zero server errors, every status code, content type and response body as the schema
documents them. Usage: fuzz.py PORT TOKEN USER PASSWORD TOTP_KEY_HEX [SECONDS]."""

import subprocess
import sys

from browser import Browser

PORT, TOKEN, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
TOTP_KEY = sys.argv[5]
SECONDS = sys.argv[6] if len(sys.argv) > 6 else "75"
HOST = "127.0.0.1"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def session_cookies() -> dict[str, str]:
    """Sign in through the forms, as a person does (password, then the app's code)."""
    browser = Browser(HOST, PORT, host_header=f"{HOST}:{PORT}")
    browser.sign_in(USER, PASSWORD, TOTP_KEY)
    return browser.jar


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
