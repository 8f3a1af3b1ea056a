"""Superset's life cycle for Anju: secrets, metadata database, bundle import, web server.

Superset lives in its own environment (.venv-superset: it caps SQLAlchemy and pandas below what
the pipeline uses), so everything here drives it through that environment's executables, with
SUPERSET_CONFIG_PATH pointing at dashboards/superset_config.py and ANJU_HOME passed on.

    login = prepare(paths())            # idempotent; cheap when nothing changed
    proc = start(paths(), port=8088)
    wait_until_healthy("http://127.0.0.1:8088", timeout=120, proc=proc)
    ...
    stop(proc)
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import sqlite3
import string
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from pipelines import superset_bundle
from pipelines.processes import stop  # noqa: F401  (part of this module's interface)
from pipelines.settings import DASHBOARDS_DIR, REPO_ROOT, Paths

SUPERSET_BIN = REPO_ROOT / ".venv-superset" / "bin"
CONFIG_PATH = DASHBOARDS_DIR / "superset_config.py"
IMPORT_SCRIPT = DASHBOARDS_DIR / "import_assets.py"
SECURITY_SCRIPT = DASHBOARDS_DIR / "security_setup.py"
SUPERSET_LOCK = REPO_ROOT / "requirements" / "superset.lock"
ADMIN_USERNAME = "admin"

# File names under $ANJU_HOME/secrets/. superset_config.py reads the key file by the same name.
SECRET_KEY_FILE = "superset_secret_key"
ADMIN_PASSWORD_FILE = "superset_admin_password"
# One password file per demo user: superset_user_<username> (0600, generated on first run).
USER_PASSWORD_PREFIX = "superset_user_"

# Roles and demo users (dashboards/security_setup.py creates them): leadership sees every district;
# each district's role sees its own rows only (row-level security) and has no SQL Lab.
LEADERSHIP_ROLE = "anju_leadership"
LEADERSHIP_USER = "leader"
DISTRICT_ROLE_PREFIX = "anju_district_"
DISTRICT_USER_PREFIX = "district_"
# Datasets without district_code that district roles may still read (数据截至 on the overview).
SHARED_DATASETS = ("publication",)


@dataclass(frozen=True)
class Login:
    username: str
    password: str = field(repr=False)  # kept out of logs and pytest output
    password_file: Path


@dataclass(frozen=True)
class DemoUser:
    role: str
    username: str
    password: str = field(repr=False)
    password_file: Path
    district_code: str | None = None  # None: leadership
    district_name: str = "全市"


def ensure_secrets(paths: Paths) -> Login:
    """Create Superset's SECRET_KEY and the admin password on first run (0600); read them after.

    The password file and the metadata database belong together: delete both or neither.
    """
    paths.secrets.mkdir(mode=0o700, parents=True, exist_ok=True)
    _create_once(paths.secrets / SECRET_KEY_FILE, secrets.token_urlsafe(48))
    password_file = paths.secrets / ADMIN_PASSWORD_FILE
    _create_once(password_file, _new_password())
    return Login(ADMIN_USERNAME, password_file.read_text(encoding="utf-8").strip(), password_file)


def _new_password() -> str:
    # Letters and digits only: nothing a shell or a command-line parser could misread.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def warehouse_districts(published_db: Path) -> list[tuple[str, str]]:
    """(code, name) of every district in the published warehouse; [] before the first publication."""
    if not Path(published_db).exists():
        return []
    import duckdb

    with duckdb.connect(str(published_db), read_only=True) as con:
        tables = {name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
        source = next((t for t in ("community_scorecard", "estate_summary") if t in tables), None)
        if source is None:
            return []
        return [(str(code), str(name)) for code, name in con.execute(
            f"SELECT district_code, any_value(district_name) FROM marts.{source} "
            "WHERE district_code IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()]


def demo_users(paths: Paths) -> list[DemoUser]:
    """The leadership demo user, then one per district of the published warehouse, each with a
    password generated on first use into $ANJU_HOME/secrets/superset_user_<username> (0600)."""
    paths.secrets.mkdir(mode=0o700, parents=True, exist_ok=True)
    wanted = [(LEADERSHIP_ROLE, LEADERSHIP_USER, None, "全市")] + [
        (f"{DISTRICT_ROLE_PREFIX}{code}", f"{DISTRICT_USER_PREFIX}{code}", code, name)
        for code, name in warehouse_districts(paths.published_db)
    ]
    users = []
    for role, username, code, name in wanted:
        password_file = paths.secrets / f"{USER_PASSWORD_PREFIX}{username}"
        _create_once(password_file, _new_password())
        password = password_file.read_text(encoding="utf-8").strip()
        users.append(DemoUser(role, username, password, password_file, code, name))
    return users


def _create_once(path: Path, value: str) -> None:
    """Write `value` to `path` unless it exists, atomically: a crash never leaves an empty file,
    and of two concurrent first runs exactly one value wins (os.link fails if the name exists)."""
    if path.exists():
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def superset_env(paths: Paths) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANJU_HOME=str(paths.home),
        SUPERSET_CONFIG_PATH=str(CONFIG_PATH),
        # Where Superset would otherwise write (~/.superset); the config also sets DATA_DIR.
        SUPERSET_HOME=str(paths.superset_home),
    )
    return env


def prepare(paths: Paths, reimport: bool = False) -> Login:
    """Bring Superset's metadata up to date and import the bundle. Safe to run any number of times.

    Each step runs only when its input changed since it last succeeded, as recorded in
    $ANJU_HOME/superset/prepared.json: `db upgrade` + `init` when the installed Superset (its lock
    file) or the config changed, the import when the rendered bundle changed, roles + demo users +
    row-level security (dashboards/security_setup.py) when any of those or the warehouse's
    districts changed. Each takes ~10 s. `reimport` runs the import and the security step
    regardless, which also reverts edits made in Superset's UI.
    """
    login = ensure_secrets(paths)
    # The metadata DB holds password hashes: owner-only, like the secrets.
    paths.superset_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths.logs.mkdir(parents=True, exist_ok=True)
    state = _load_state(paths)

    setup_key = _digest(SUPERSET_LOCK.read_bytes(), CONFIG_PATH.read_bytes())
    if state.get("setup") != setup_key:
        _superset(paths, "db", "upgrade")
        _create_admin_if_missing(paths, login)
        _superset(paths, "init")  # roles and permissions; after create-admin, as Superset's docs do
        state["setup"] = setup_key
        state.pop("security", None)  # roles are built from Gamma's permissions, which init resets
        _save_state(paths, state)

    contents = superset_bundle.bundle_contents(paths.published_db)
    bundle_key = superset_bundle.contents_digest(contents)
    if reimport or state.get("bundle") != bundle_key:
        with tempfile.TemporaryDirectory(prefix="anju-bundle-") as tmp:
            bundle_zip = superset_bundle.write_zip(contents, Path(tmp) / "bundle.zip")
            _run(paths, [str(SUPERSET_BIN / "python"), str(IMPORT_SCRIPT), str(bundle_zip), login.username])
        state["bundle"] = bundle_key
        state.pop("security", None)  # new or changed datasets: row-level security must cover them
        _save_state(paths, state)

    users = demo_users(paths)
    spec = {
        "leadership": next(_user_spec(u) for u in users if u.district_code is None),
        "districts": [_user_spec(u) for u in users if u.district_code is not None],
        "shared_datasets": list(SHARED_DATASETS),
    }
    spec_json = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    security_key = _digest(SECURITY_SCRIPT.read_bytes(), spec_json.encode("utf-8"))
    if reimport or state.get("security") != security_key:
        _run(paths, [str(SUPERSET_BIN / "python"), str(SECURITY_SCRIPT)], stdin=spec_json)
        state["security"] = security_key
        _save_state(paths, state)
    return login


def _user_spec(user: DemoUser) -> dict[str, str]:
    spec = {"role": user.role, "username": user.username, "password": user.password}
    if user.district_code is not None:
        spec.update(code=user.district_code, name=user.district_name)
    return spec


def _metadata_db(paths: Paths) -> Path:
    return paths.superset_home / "superset.db"  # as SQLALCHEMY_DATABASE_URI in superset_config.py


def _state_file(paths: Paths) -> Path:
    return paths.superset_home / "prepared.json"


def _load_state(paths: Paths) -> dict[str, str]:
    # A stamp without its metadata database (deleted by hand) describes nothing: start over.
    if not _metadata_db(paths).exists() or not _state_file(paths).exists():
        return {}
    return json.loads(_state_file(paths).read_text(encoding="utf-8"))


def _save_state(paths: Paths, state: dict[str, str]) -> None:
    tmp = _state_file(paths).with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, _state_file(paths))


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _create_admin_if_missing(paths: Paths, login: Login) -> None:
    # Reading the metadata DB directly takes milliseconds; asking Superset (`fab list-users`)
    # boots the whole app.
    with closing(sqlite3.connect(_metadata_db(paths))) as con:
        exists = con.execute("SELECT 1 FROM ab_user WHERE username = ?", (login.username,)).fetchone()
    if exists:
        return
    _superset(
        paths, "fab", "create-admin",
        f"--username={login.username}", "--firstname=Anju", "--lastname=Admin",
        "--email=admin@anju.invalid", f"--password={login.password}",
    )  # fmt: skip


def _superset(paths: Paths, *args: str) -> None:
    _run(paths, [str(SUPERSET_BIN / "superset"), *args])


def _run(paths: Paths, cmd: list[str], stdin: str | None = None) -> None:
    """Run a Superset-environment command, its output appended to $ANJU_HOME/logs/superset-prepare.log."""
    log_path = paths.logs / "superset-prepare.log"
    label = " ".join([Path(cmd[0]).name, *cmd[1:3]])  # never the arguments after: a password
    with open(log_path, "ab") as log:
        log.write(f"\n$ {label} ...\n".encode())
        log.flush()
        started = time.monotonic()
        result = subprocess.run(
            cmd, env=superset_env(paths), stdout=log, stderr=subprocess.STDOUT, cwd=paths.superset_home,
            input=None if stdin is None else stdin.encode("utf-8"),
        )
        log.write(f"# exit {result.returncode} after {time.monotonic() - started:.1f} s\n".encode())
    if result.returncode != 0:
        raise RuntimeError(f"`{label}` failed (exit {result.returncode}); end of {log_path}:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start(paths: Paths, host: str = "127.0.0.1", port: int = 8088) -> subprocess.Popen:
    """Start Superset under gunicorn in its own process group (stop() ends the whole group).

    Two workers of four threads: the dashboard fires its chart queries in parallel, and two cores
    are all there is. Output goes to $ANJU_HOME/logs/superset.log.
    """
    paths.logs.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(SUPERSET_BIN / "gunicorn"),
        f"--bind={host}:{port}",
        "--workers=2",
        "--worker-class=gthread",
        "--threads=4",
        "--timeout=120",
        # Superset's GET URLs can carry whole form-data payloads (its docs set both to 0).
        "--limit-request-line=0",
        "--limit-request-field_size=0",
        "--access-logfile=-",
        "superset.app:create_app()",
    ]
    with open(paths.logs / "superset.log", "ab") as log:
        return subprocess.Popen(
            cmd,
            env=superset_env(paths),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=paths.superset_home,
            start_new_session=True,
        )


def wait_until_healthy(url: str, timeout: float = 120, proc: subprocess.Popen | None = None) -> None:
    """Poll `url`/health until it answers OK; fail early if `proc` (the server) has exited."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Superset exited with code {proc.returncode} before becoming healthy")
        try:
            if requests.get(f"{url.rstrip('/')}/health", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or listening while its workers still load the app
        if time.monotonic() > deadline:
            raise TimeoutError(f"Superset at {url} not healthy after {timeout} s")
        time.sleep(0.5)


@dataclass(frozen=True)
class Running:
    url: str
    login: Login


@contextmanager
def running(paths: Paths, timeout: float = 300) -> Iterator[Running]:
    """Superset prepared and serving `paths` on a free port of 127.0.0.1 until the block ends
    (tests, benchmarks and drills; `anju serve` uses a fixed port)."""
    login = prepare(paths)
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = start(paths, port=port)
    try:
        wait_until_healthy(url, timeout=timeout, proc=proc)
        yield Running(url, login)
    finally:
        stop(proc)
