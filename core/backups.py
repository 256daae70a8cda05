"""Backups that restore can check, and a restore that never destroys what it cannot replace.

A backup directory holds the database (pg_dump custom format, or an SQLite copy), the uploaded
files as media.tar.gz and manifest.json with each file's size and SHA-256 and every table's row
count, written last: a backup without a manifest is unfinished.

Restore checks all of that before touching anything live: checksums, then the media unpacked
into a staging folder beside MEDIA_ROOT, then the database restored into a NEW database (or a
new SQLite file) with --exit-on-error in one transaction, its row counts compared with the
manifest and `verify_ledger` run on it in a separate process. Only then are the live database
and media swapped for the staged ones by renames; the previous ones are kept under a
`…_before_restore_<time>` name for the operator to drop. A damaged backup is refused with the
reason and the live system is as it was.

An encrypted backup (core.backup_crypto) holds `<name>.age` files instead; restore checks their
checksums the same way, then decrypts them into a private temporary directory and checks the
plaintexts against the checksums in the manifest's `encryption` section before staging.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
FORMAT = 2


class BackupRefusedError(Exception):
    """The backup is damaged or does not fit this system; nothing live was changed."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def tables() -> list[str]:
    return sorted(
        m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy
    )


def count_rows(cursor: Any) -> dict[str, int]:
    """Every Sanshe table's row count, through any DB-API cursor (Django's or sqlite3's)."""
    counts = {}
    for table in tables():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from models
        counts[table] = int(cursor.fetchone()[0])
    return counts


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return count_rows(cursor)


def pg_env(db: Any) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args(db: Any) -> list[str]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupRefusedError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def write_manifest(out: Path, files: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    manifest = {
        "format": FORMAT,
        **extra,
        "files": {
            name: {"bytes": (out / name).stat().st_size, "sha256": sha256(out / name)}
            for name in files
        },
    }
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(out / MANIFEST)
    return manifest


# --- restore ---------------------------------------------------------------------------------


@dataclass
class Staged:
    media: Path | None
    database: str  # the new database's name, or the staged SQLite file's path


def read_checked_manifest(src: Path) -> dict[str, Any]:
    path = src / MANIFEST
    if not path.is_file():
        raise BackupRefusedError(f"{path} is missing: the backup is unfinished or not a backup")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupRefusedError(f"{path} is not readable JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupRefusedError(f"backup format {manifest.get('format')!r}, expected {FORMAT}")
    if manifest.get("vendor") != connection.vendor:
        raise BackupRefusedError(
            f"backup is for {manifest.get('vendor')}, this database is {connection.vendor}"
        )
    for name, expected in manifest["files"].items():
        f = src / name
        if not f.is_file():
            raise BackupRefusedError(f"{name} is missing from the backup")
        if f.stat().st_size != expected["bytes"]:
            raise BackupRefusedError(
                f"{name} is {f.stat().st_size} bytes, the backup wrote {expected['bytes']} (truncated or damaged)"
            )
        if sha256(f) != expected["sha256"]:
            raise BackupRefusedError(f"{name} does not match its SHA-256 checksum (damaged)")
    return manifest


def contents(manifest: dict[str, Any]) -> dict[str, Any]:
    """The backup's plaintext files: as listed, or inside the `.age` files of an encrypted one."""
    if manifest.get("encryption"):
        return dict(manifest["encryption"]["contents"])
    return dict(manifest["files"])


def stage_media(src: Path, manifest: dict[str, Any], stamp: str) -> Path | None:
    """Unpack media.tar.gz from `src` (the backup, or the decrypted copy) beside MEDIA_ROOT."""
    if "media.tar.gz" not in contents(manifest):
        return None
    live = Path(settings.MEDIA_ROOT)
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = live.parent / f".{live.name}.restore-{stamp}"
    staging.mkdir()
    try:
        with tarfile.open(src / "media.tar.gz", "r:gz") as tar:
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupRefusedError(f"media.tar.gz cannot be unpacked: {exc}") from exc
    unpacked = staging / "media"
    count = sum(1 for p in unpacked.rglob("*") if p.is_file()) if unpacked.exists() else 0
    if count != manifest.get("media_files", count):
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupRefusedError(
            f"media.tar.gz holds {count} files, the backup wrote {manifest['media_files']}"
        )
    return staging


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    auth = str(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def verify_database(name: str, manifest: dict[str, Any]) -> None:
    """Row counts as at backup, and `verify_ledger` passing, on the staged database."""
    code = (
        "import json, os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup(); from django.core.management import call_command;"
        "from core.backups import row_counts; call_command('verify_ledger');"
        "print('COUNTS=' + json.dumps(row_counts()))"
    )
    env = {**os.environ, "DATABASE_URL": _database_url(name)}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupRefusedError(f"the restored database fails verify_ledger: {tail}")
    counts = json.loads(result.stdout.rsplit("COUNTS=", 1)[1])
    expected = manifest.get("row_counts", {})
    short = {t: (counts.get(t), n) for t, n in expected.items() if counts.get(t) != n}
    if short:
        table, (got, want) = sorted(short.items())[0]
        raise BackupRefusedError(
            f"the restored database has {got} rows in {table}, the backup had {want}"
            f" ({len(short)} table(s) differ)"
        )


def stage_database(src: Path, stamp: str) -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        name = f"{db['NAME']}_restore_{stamp}"[:63]
        psql = _tool("psql")
        run = [psql, *pg_args(db), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc"]
        subprocess.run([*run, f'CREATE DATABASE "{name}"'], check=True, env=pg_env(db))  # noqa: S603
        result = subprocess.run(  # noqa: S603 - argv built from settings, no shell
            [
                _tool("pg_restore"),
                *pg_args(db),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "-d",
                name,
                str(src / "database.pgdump"),
            ],
            env=pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            drop_database(name)
            reason = (result.stderr.strip().splitlines() or ["?"])[-1]
            raise BackupRefusedError(f"database.pgdump cannot be restored: {reason}")
        return name
    live = Path(str(db["NAME"]))
    staged = live.with_name(f".{live.name}.restore-{stamp}")
    try:
        source = sqlite3.connect(f"file:{src / 'database.sqlite3'}?mode=ro", uri=True)
        target = sqlite3.connect(str(staged))
        with target:
            source.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        source.close()
        target.close()
    except sqlite3.DatabaseError as exc:
        staged.unlink(missing_ok=True)
        raise BackupRefusedError(f"database.sqlite3 cannot be read: {exc}") from exc
    if ok != "ok":
        staged.unlink(missing_ok=True)
        raise BackupRefusedError(f"database.sqlite3 fails its integrity check: {ok}")
    return str(staged)


def drop_database(name: str) -> None:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        subprocess.run(  # noqa: S603
            [
                _tool("psql"),
                *pg_args(db),
                "-d",
                "postgres",
                "-qc",
                f'DROP DATABASE IF EXISTS "{name}"',
            ],
            env=pg_env(db),
            check=False,
            capture_output=True,
        )
    else:
        Path(name).unlink(missing_ok=True)


def swap_in(staged: Staged, stamp: str) -> list[str]:
    """Put the checked database and media in place; return what was kept of the old ones."""
    db = settings.DATABASES["default"]
    kept = []
    connection.close()
    if connection.vendor == "postgresql":
        live, old = str(db["NAME"]), f"{db['NAME']}_before_restore_{stamp}"[:63]
        psql = [_tool("psql"), *pg_args(db), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc"]
        # Other sessions (stopped app servers' pools, a monitoring probe) would block the
        # rename; they are ended first, and the rename retried while they go away.
        terminate = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"  # noqa: S608 - the database name from settings
            f" WHERE datname = '{live}' AND pid <> pg_backend_pid()"
        )
        for attempt in range(10):
            subprocess.run([*psql, terminate], env=pg_env(db), check=False, capture_output=True)  # noqa: S603
            renamed = subprocess.run(  # noqa: S603
                [*psql, f'ALTER DATABASE "{live}" RENAME TO "{old}"'],
                env=pg_env(db),
                check=False,
                capture_output=True,
                text=True,
            )
            if renamed.returncode == 0:
                break
            if attempt == 9:
                raise BackupRefusedError(
                    f"the live database cannot be renamed: {renamed.stderr.strip()}"
                )
            time.sleep(0.5)
        subprocess.run(  # noqa: S603
            [*psql, f'ALTER DATABASE "{staged.database}" RENAME TO "{live}"'],
            env=pg_env(db),
            check=True,
            capture_output=True,
        )
        kept.append(f"database {old}")
    else:
        live_path = Path(str(db["NAME"]))
        if live_path.exists():
            old_path = live_path.with_name(f"{live_path.name}.before-restore-{stamp}")
            shutil.copy2(live_path, old_path)
            kept.append(str(old_path))
        os.replace(staged.database, live_path)  # atomic on one filesystem
    if staged.media is not None:
        media = Path(settings.MEDIA_ROOT)
        unpacked = staged.media / "media"
        unpacked.mkdir(exist_ok=True)
        if media.exists():
            old_media = media.with_name(f"{media.name}.before-restore-{stamp}")
            media.rename(old_media)
            kept.append(str(old_media))
        unpacked.rename(media)
        staged.media.rmdir()
    return kept
