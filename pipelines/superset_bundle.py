"""Build the zip that Superset imports from the YAML asset bundle kept in dashboards/bundle/.

The bundle in the repository is environment-free; the one thing that differs per machine, the
warehouse's path, is filled into the database YAML here, at import time.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import yaml

from pipelines.settings import DASHBOARDS_DIR

BUNDLE_DIR = DASHBOARDS_DIR / "bundle"
# Superset strips the first path component of every entry, so the files sit under one folder.
_ZIP_ROOT = "anju_bundle"


def bundle_contents(published_db: Path) -> dict[str, str]:
    """The bundle's files by relative path, with the warehouse path filled in."""
    published_db = Path(published_db).resolve()
    if any(ch in str(published_db) for ch in "?#"):
        # They would end the database part of the SQLAlchemy URL.
        raise ValueError(f"warehouse path {published_db} contains '?' or '#'")
    contents: dict[str, str] = {}
    for path in sorted(BUNDLE_DIR.rglob("*.yaml")):
        name = path.relative_to(BUNDLE_DIR).as_posix()
        text = path.read_text(encoding="utf-8")
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            config["sqlalchemy_uri"] = config["sqlalchemy_uri"].format(published_db=published_db)
            text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        contents[name] = text
    if "metadata.yaml" not in contents:
        raise FileNotFoundError(f"{BUNDLE_DIR}/metadata.yaml is missing")
    return contents


def contents_digest(contents: dict[str, str]) -> str:
    """SHA-256 over names and texts: equal digests mean an import would change nothing."""
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + contents[name].encode("utf-8") + b"\0")
    return digest.hexdigest()


def write_zip(contents: dict[str, str], out: Path) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, text in contents.items():
            zipped.writestr(f"{_ZIP_ROOT}/{name}", text.encode("utf-8"))
    return out
