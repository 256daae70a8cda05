"""Restore drills: a damaged backup is refused with the reason and the live system untouched;
a good one replaces database and media, with the old ones kept and the ledger verifying.

Run against a real database file (or a real PostgreSQL database) in a child process, the way an
operator runs `backup` and `restore`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PG = os.environ.get("DATABASE_URL", "").startswith("postgres")


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # `python -m django`, not the checkout's manage.py: the drill also runs against an installed
    # wheel in CI's production pass.
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "django", *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(env["SANSHE_MEDIA_ROOT"]).parent,
    )


def _counts(env: dict[str, str]) -> dict[str, int]:
    code = "from core.backups import row_counts; import json; print(json.dumps(row_counts()))"
    out = _manage(env, "shell", "-c", code)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_site(work: Path, tag: str) -> dict[str, str]:
    """A live site in `work` with the demo data, a ledger and an uploaded file; its environment."""
    env = dict(os.environ)
    env["SANSHE_MEDIA_ROOT"] = str(work / "media")
    if PG:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        # One database per xdist worker: each worker builds this module-scoped site itself, and a
        # shared name let one worker drop the database under the other's load_demo.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1] + f"_{tag}_{worker}"
        subprocess.run(  # noqa: S603 - fixed argv
            [
                shutil.which("psql") or "psql",
                f"{base}/postgres",
                "-qc",
                f'DROP DATABASE IF EXISTS "{name}"',
                "-qc",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
        )
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'sanshe.sqlite3'}"
    assert _manage(env, "migrate", "-v0").returncode == 0
    # The demo acts today: deadlines past the official calendar get the TEST-ONLY arrangement.
    helper = Path(__file__).resolve().parents[1] / "calendars.py"
    calendars = f"exec(open({str(helper)!r}).read()); record_test_only_calendars()"
    assert _manage(env, "shell", "-c", calendars).returncode == 0
    assert _manage(env, "load_demo").returncode == 0
    evidence = work / "media" / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    (evidence / "四卡一袋.txt").write_text("四卡一袋 台账扫描件", encoding="utf-8")
    return env


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A live site and a good backup of it."""
    work = tmp_path_factory.mktemp("drill")
    env = make_site(work, "drill")
    backup = _manage(env, "backup", "--output", str(work / "good"))
    assert backup.returncode == 0, backup.stderr
    return work, env


def _damaged(work: Path, name: str, rewrite_manifest: bool) -> Path:
    """A copy of the good backup with `name` cut to half; optionally a manifest that agrees."""
    target = work / f"bad-{name}-{rewrite_manifest}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(work / "good", target)
    data = (target / name).read_bytes()
    (target / name).write_bytes(data[: len(data) // 2])
    if rewrite_manifest:  # damaged before the checksums were taken: staging must catch it
        from core.backups import sha256

        manifest = json.loads((target / "manifest.json").read_text())
        manifest["files"][name] = {"bytes": len(data) // 2, "sha256": sha256(target / name)}
        (target / "manifest.json").write_text(json.dumps(manifest))
    return target


DUMP = "database.pgdump" if PG else "database.sqlite3"


@pytest.mark.parametrize(
    ("name", "rewrite", "reason"),
    [
        (DUMP, False, "truncated or damaged"),
        ("media.tar.gz", False, "truncated or damaged"),
        (DUMP, True, "database" if PG else "database.sqlite3"),
        ("media.tar.gz", True, "media.tar.gz cannot be unpacked"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_live_changes(live, name, rewrite, reason):
    work, env = live
    before = _counts(env)
    bad = _damaged(work, name, rewrite)
    result = _manage(env, "restore", "--input", str(bad))
    assert result.returncode != 0
    assert "restore refused, nothing was changed" in result.stderr
    assert reason in result.stderr
    assert _counts(env) == before
    assert (work / "media" / "evidence" / "四卡一袋.txt").read_text(
        encoding="utf-8"
    ) == "四卡一袋 台账扫描件"
    assert _manage(env, "verify_ledger").returncode == 0
    # No staging leftovers beside the live data.
    assert not [p for p in work.iterdir() if ".restore-" in p.name]


def test_a_good_backup_replaces_changed_data_and_keeps_the_old(live):
    work, env = live
    before = _counts(env)
    (work / "media" / "evidence" / "四卡一袋.txt").write_text("改过", encoding="utf-8")
    (work / "media" / "evidence" / "later.txt").write_text("后来上传")
    assert (
        _manage(
            env,
            "shell",
            "-c",
            'from django.contrib.auth.models import Group; Group.objects.create(name="演练后新增")',
        ).returncode
        == 0
    )
    assert _counts(env) != before
    result = _manage(env, "restore", "--input", str(work / "good"))
    assert result.returncode == 0, result.stderr
    assert "previous data kept as" in result.stdout
    assert _counts(env) == before
    assert (work / "media" / "evidence" / "四卡一袋.txt").read_text(
        encoding="utf-8"
    ) == "四卡一袋 台账扫描件"
    assert not (work / "media" / "evidence" / "later.txt").exists()
    kept = [p for p in work.iterdir() if p.name.startswith("media.before-restore-")]
    assert kept and (kept[0] / "evidence" / "later.txt").exists()
    assert _manage(env, "verify_ledger").returncode == 0
