"""Superset configuration for Anju, loaded by Superset through SUPERSET_CONFIG_PATH.

Runs inside the Superset environment (.venv-superset), not the pipeline's, so it imports nothing
from `pipelines`: the few paths it needs are derived from ANJU_HOME exactly as
pipelines/settings.py derives them. All state (metadata DB, secret key) lives under ANJU_HOME;
this file holds no secret.
"""

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path

ANJU_HOME = Path(os.environ.get("ANJU_HOME", Path(__file__).resolve().parent.parent / ".anju")).resolve()
_SUPERSET_HOME = ANJU_HOME / "superset"
_SECRET_KEY_FILE = ANJU_HOME / "secrets" / "superset_secret_key"

# pipelines.superset_service.ensure_secrets generates the key (0600) on first run. Refuse to start
# without it rather than fall back to a default key anyone could use to forge sessions.
try:
    SECRET_KEY = _SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
except FileNotFoundError:
    raise RuntimeError(
        f"{_SECRET_KEY_FILE} is missing: run `anju serve` (or superset_service.ensure_secrets) first"
    ) from None

# Metadata (users, charts, dashboards) in SQLite under ANJU_HOME. check_same_thread=false because
# gunicorn's threads share the engine; the timeout lets concurrent writers (Superset logs an event
# per request) wait for each other instead of failing with "database is locked".
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_SUPERSET_HOME / 'superset.db'}?check_same_thread=false"
SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
# Keep uploads and anything else Superset writes out of ~/.superset and the installed package.
DATA_DIR = str(_SUPERSET_HOME)
UPLOAD_FOLDER = str(_SUPERSET_HOME / "uploads") + "/"

# Chinese UI. The stock config sets LANGUAGES = {}, which switches i18n off entirely; zh comes
# first so the language menu offers it first. The locale comes from the session, then this
# default (Accept-Language is ignored).
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}

# Security. CSRF protects the form login and the session-cookie API; JWT API clients fetch a
# token from /api/v1/security/csrf_token/.
WTF_CSRF_ENABLED = True
# Flask checks the signed session cookie's age against this on every request, whether or not the
# session is "permanent", so a login lapses 8 hours after the cookie was last written.
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
# API tokens (flask-jwt-extended, signed with SECRET_KEY): 15 minutes, as its default; a refresh
# token would otherwise renew them for 30 days, far beyond a browser session.
JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
JWT_REFRESH_TOKEN_EXPIRES = PERMANENT_SESSION_LIFETIME


def _derived_secret(purpose: str) -> str:
    return hmac.new(SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()


# Embedded dashboards (guest tokens) and async queries are off, but their stock secrets are
# published in Superset's source: whoever turns them on must not inherit a known key.
GUEST_TOKEN_JWT_SECRET = _derived_secret("guest-token")
GLOBAL_ASYNC_QUERIES_JWT_SECRET = _derived_secret("async-queries")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Served on 127.0.0.1 over plain HTTP; set to True behind TLS.
SESSION_COOKIE_SECURE = False
# Anonymous visitors get nothing: the Public role stays empty (see STACK.md on PUBLIC_ROLE_LIKE).
PUBLIC_ROLE_LIKE = None


# Downloads. Superset writes CSV as utf-8-sig, but since Werkzeug 3 the BOM never reaches the
# response (STACK.md), and Excel on Windows then reads the UTF-8 as GBK: mojibake. The hook below
# puts the BOM back on every non-streamed text/csv response. Exports larger than
# CSV_STREAMING_ROW_THRESHOLD rows are streamed and stay without it (the district extracts are far
# smaller; pipelines/extracts.py writes the same data to files with the BOM).
_UTF8_BOM = b"\xef\xbb\xbf"


def FLASK_APP_MUTATOR(app):  # noqa: N802 (Superset's name)
    @app.after_request
    def _csv_with_bom(response):
        if response.mimetype == "text/csv" and not response.is_streamed and not response.direct_passthrough:
            body = response.get_data()
            if not body.startswith(_UTF8_BOM):
                response.set_data(_UTF8_BOM + body)
        return response

    return app


# Dashboards fetch each chart's data in parallel; a district user's queries carry the district's
# row-level-security clause (set up by dashboards/security_setup.py, run from `prepare`).
ROW_LIMIT = 50000
