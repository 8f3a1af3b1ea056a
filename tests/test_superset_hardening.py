"""Superset hardening, tried over HTTP against the session's real server (tests/superset_fixtures.py):
a SECRET_KEY generated per install that the server really signs with, no default or guessable
passwords, CSRF on, nothing for anonymous visitors, sessions and API tokens that expire. (SQL Lab
closed to district roles: tests/test_dashboards.py::test_sql_lab_is_closed_to_district_users.)

Session cookies and JWTs are re-signed here exactly as Flask (itsdangerous: HMAC-SHA1 over a key
derived with the salt "cookie-session") and flask-jwt-extended (HS256) sign them, with the
install's key or another, older or newer: the server's answers show which key it trusts and that
it enforces the lifetimes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import runpy
import stat
import subprocess
import time
from datetime import timedelta

import pytest
import requests

from pipelines import superset_service
from pipelines.settings import REPO_ROOT, Paths
from pipelines.superset_client import SupersetClient, query_context
from tests.superset_fixtures import SupersetServer

pytestmark = pytest.mark.slow

# Superset's stock SECRET_KEY (superset/constants.py), the one of releases before 2.1, and the
# stock secrets of guest tokens and async queries (superset/config.py).
STOCK_SECRETS = {"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "\2\1thisismyscretkey\1\2\\e\\y\\y\\h",
                 "test-guest-secret-change-me", "test-secret-change-me"}
WEAK_PASSWORDS = ("admin", "general", "password", "123456", "superset", "changeme", "Admin@123", "anju")
SLUGS = ("city-overview", "district-estate", "data-quality", "district-extracts")


# ---------------------------------------------------------------- signing as the server does


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def resign_session(cookie: str, key: bytes, issued_at: int) -> str:
    """The session cookie's payload, signed again with `key` as if written at `issued_at`."""
    compressed = cookie.startswith(".")
    payload = cookie.lstrip(".").split(".")[0].encode()
    value = (b"." if compressed else b"") + payload + b"." + _b64(issued_at.to_bytes((issued_at.bit_length() + 7) // 8, "big"))
    derived = hmac.new(key, b"cookie-session", hashlib.sha1).digest()
    return (value + b"." + _b64(hmac.new(derived, value, hashlib.sha1).digest())).decode()


def sign_jwt(claims: dict, key: bytes) -> str:
    value = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + _b64(json.dumps(claims).encode())
    return (value + b"." + _b64(hmac.new(key, value, hashlib.sha256).digest())).decode()


def claims_of(token: str) -> dict:
    return json.loads(_unb64(token.split(".")[1]))


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def secret_key(superset_server: SupersetServer) -> bytes:
    return (superset_server.paths.secrets / superset_service.SECRET_KEY_FILE).read_text(encoding="utf-8").strip().encode()


def form_login(server: SupersetServer, username: str, password: str, with_csrf: bool = True) -> requests.Session:
    """The login form, as a browser posts it (with the hidden csrf_token, unless told otherwise)."""
    session = requests.Session()
    page = session.get(f"{server.url}/login/", timeout=30).text
    data = {"username": username, "password": password}
    if with_csrf:
        data["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    session.post(f"{server.url}/login/", data=data, allow_redirects=False, timeout=30)
    return session


def me(server: SupersetServer, **kwargs) -> int:
    """Status of GET /api/v1/me/: 200 for a logged-in user."""
    return requests.get(f"{server.url}/api/v1/me/", timeout=30, **kwargs).status_code


def jwt_login(server: SupersetServer, username: str, password: str, refresh: bool = False) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/security/login", timeout=30,
                         json={"username": username, "password": password, "provider": "db", "refresh": refresh})


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- SECRET_KEY


def test_secret_key_is_generated_per_install_and_kept_private(superset_server, secret_key, tmp_path):
    secrets_dir = superset_server.paths.secrets
    key_file = secrets_dir / superset_service.SECRET_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert len(secret_key) >= 48 and secret_key.decode() not in STOCK_SECRETS
    other_install = Paths(tmp_path)
    superset_service.ensure_secrets(other_install)
    assert (other_install.secrets / superset_service.SECRET_KEY_FILE).read_bytes().strip() != secret_key
    # Neither in a tracked nor in an untracked file of the repository.
    found = subprocess.run(["git", "grep", "--untracked", "-q", "-F", "-e", secret_key.decode()], cwd=REPO_ROOT)
    assert found.returncode == 1


def test_the_server_signs_with_that_key_and_no_other(superset_server, secret_key):
    login = superset_server.login
    cookie = form_login(superset_server, login.username, login.password).cookies["session"]
    now = int(time.time())
    assert me(superset_server, cookies={"session": resign_session(cookie, secret_key, now)}) == 200
    assert me(superset_server, cookies={"session": resign_session(cookie, b"k" * 64, now)}) == 401

    claims = claims_of(jwt_login(superset_server, login.username, login.password).json()["access_token"])
    assert me(superset_server, headers=_bearer(sign_jwt(claims, secret_key))) == 200
    assert me(superset_server, headers=_bearer(sign_jwt(claims, b"k" * 64))) in (401, 422)


def test_the_config_leaves_no_stock_secret(superset_server, secret_key, monkeypatch):
    """As Superset loads dashboards/superset_config.py for this install."""
    monkeypatch.setenv("ANJU_HOME", str(superset_server.paths.home))
    config = runpy.run_path(str(superset_service.CONFIG_PATH))
    assert config["SECRET_KEY"].encode() == secret_key
    secrets = {config["GUEST_TOKEN_JWT_SECRET"], config["GLOBAL_ASYNC_QUERIES_JWT_SECRET"], config["SECRET_KEY"]}
    assert len(secrets) == 3 and not secrets & STOCK_SECRETS


# ---------------------------------------------------------------- passwords


def test_no_default_or_guessable_password(superset_server):
    admin = SupersetClient(superset_server.url).login(superset_server.login.username, superset_server.login.password)
    users = [u["username"] for u in admin.raw("GET", "/api/v1/security/users/?q=(page_size:100)").json()["result"]]
    assert superset_server.login.username in users and len(users) > 2
    for username in users:
        for password in (username, *WEAK_PASSWORDS):
            assert jwt_login(superset_server, username, password).status_code == 401, (username, password)

    files = sorted(superset_server.paths.secrets.glob(f"{superset_service.USER_PASSWORD_PREFIX}*"))
    files.append(superset_server.paths.secrets / superset_service.ADMIN_PASSWORD_FILE)
    passwords = [f.read_text(encoding="utf-8").strip() for f in files]
    assert len(files) == len(users) and len(set(passwords)) == len(passwords)
    for path, password in zip(files, passwords):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert len(password) >= 20 and password.isalnum(), path
    # The generated ones are the real ones.
    assert jwt_login(superset_server, superset_server.login.username, superset_server.login.password).status_code == 200


# ---------------------------------------------------------------- CSRF


def test_csrf_is_required_on_form_and_api_posts(superset_server):
    login = superset_server.login
    assert me(superset_server, cookies=form_login(superset_server, login.username, login.password, with_csrf=False).cookies) == 401
    session = form_login(superset_server, login.username, login.password)
    assert me(superset_server, cookies=session.cookies) == 200

    dashboard_id = SupersetClient(superset_server.url).login(login.username, login.password).dashboards()[0]["id"]
    favorites = f"{superset_server.url}/api/v1/dashboard/{dashboard_id}/favorites/"

    def is_favorite() -> bool:
        status = session.get(f"{superset_server.url}/api/v1/dashboard/favorite_status/?q=!({dashboard_id})", timeout=30)
        return status.json()["result"][0]["value"]

    jwt = requests.Session()
    jwt.headers.update(_bearer(jwt_login(superset_server, login.username, login.password).json()["access_token"]))
    for client in (session, jwt):  # a session cookie, then a JWT: neither is enough without the token
        refused = client.post(favorites, allow_redirects=False, timeout=30)
        assert refused.status_code in (302, 400) and not is_favorite(), refused.text[:300]
    token = session.get(f"{superset_server.url}/api/v1/security/csrf_token/", timeout=30).json()["result"]
    headers = {"X-CSRFToken": token, "Referer": superset_server.url}
    assert session.post(favorites, headers=headers, timeout=30).status_code == 200 and is_favorite()
    assert session.delete(favorites, headers=headers, timeout=30).status_code == 200 and not is_favorite()


# ---------------------------------------------------------------- anonymous visitors


def test_anonymous_visitors_get_nothing(superset_server, secret_key):
    url = superset_server.url
    for slug in SLUGS:
        page = requests.get(f"{url}/superset/dashboard/{slug}/", allow_redirects=False, timeout=30)
        assert page.status_code == 302 and "/login/" in page.headers["Location"], slug
    for endpoint in ("/api/v1/dashboard/", "/api/v1/chart/", "/api/v1/dataset/", "/api/v1/database/", "/api/v1/security/users/"):
        assert requests.get(url + endpoint, timeout=30).status_code == 401, endpoint

    admin = SupersetClient(url).login(superset_server.login.username, superset_server.login.password)
    payload = query_context(admin.chart("在册居民总数"))
    assert admin.raw("POST", "/api/v1/chart/data", json=payload).status_code == 200
    assert requests.post(f"{url}/api/v1/chart/data", json=payload, timeout=30).status_code == 401

    roles = admin.raw("GET", "/api/v1/security/roles/?q=(page_size:100)").json()["result"]
    [public] = [r["id"] for r in roles if r["name"] == "Public"]
    assert admin.raw("GET", f"/api/v1/security/roles/{public}/permissions/").json()["result"] == []

    # Embedded dashboards are off, and a guest token signed with Superset's stock secret opens nothing.
    now = int(time.time())
    guest = {"user": {"username": "guest"}, "resources": [{"type": "dashboard", "id": "1"}], "rls_rules": [],
             "iat": now, "exp": now + 300, "aud": "superset", "type": "guest"}
    forged = sign_jwt(guest, b"test-guest-secret-change-me")
    assert requests.get(f"{url}/api/v1/dashboard/", headers={"X-GuestToken": forged}, timeout=30).status_code == 401

    # No self-registration.
    signup = {"username": "intruder", "first_name": "a", "last_name": "b", "email": "a@b.invalid",
              "password": "Intruder-2026-Anju", "conf_password": "Intruder-2026-Anju"}
    assert requests.post(f"{url}/register/", data=signup, allow_redirects=False, timeout=30).status_code >= 400
    assert jwt_login(superset_server, "intruder", signup["password"]).status_code == 401


# ---------------------------------------------------------------- expiry


def test_sessions_and_tokens_expire(superset_server, secret_key):
    login = superset_server.login
    cookie = form_login(superset_server, login.username, login.password).cookies["session"]
    hour = 3600
    now = int(time.time())
    # PERMANENT_SESSION_LIFETIME is 8 hours: a cookie written 7 hours ago still works, 9 hours ago not.
    assert me(superset_server, cookies={"session": resign_session(cookie, secret_key, now - 7 * hour)}) == 200
    assert me(superset_server, cookies={"session": resign_session(cookie, secret_key, now - 9 * hour)}) == 401

    tokens = jwt_login(superset_server, login.username, login.password, refresh=True).json()
    access, refresh = claims_of(tokens["access_token"]), claims_of(tokens["refresh_token"])
    assert access["exp"] - access["iat"] <= timedelta(minutes=15).total_seconds()
    assert refresh["exp"] - refresh["iat"] <= timedelta(hours=8).total_seconds()
    old = {"iat": now - 9 * hour, "nbf": now - 9 * hour, "exp": now - 60}
    assert me(superset_server, headers=_bearer(sign_jwt({**access, **old}, secret_key))) == 401
    renew = f"{superset_server.url}/api/v1/security/refresh"
    assert requests.post(renew, headers=_bearer(sign_jwt(refresh, secret_key)), timeout=30).status_code == 200
    assert requests.post(renew, headers=_bearer(sign_jwt({**refresh, **old}, secret_key)), timeout=30).status_code == 401
