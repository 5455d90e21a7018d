"""Every answer carries the strict headers: a Content-Security-Policy without unsafe-inline,
frame denial, nosniff, a referrer policy and a Permissions-Policy switching off the camera,
microphone and location; behind the proxy, HTTPS is told by X-Forwarded-Proto."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_carries_the_strict_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


def test_error_and_limit_pages_carry_them_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_handler_or_style():
    """What the policy would refuse, found before a browser does (emails are not pages)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    inline = re.compile(r"""\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)|<style|hx-on""", re.I)
    found = []
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "email" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if inline.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def test_behind_the_proxy_https_is_told_by_the_forwarded_proto(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
