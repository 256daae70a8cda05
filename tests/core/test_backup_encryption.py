"""Encrypted backup drills: only age-sealed files reach the backup directory; a restore with the
wrong key, without a key, or of a file altered or replaced after encryption is refused with the
reason and the live system untouched; with the right key it restores like a plain backup.

Like the plain drills (test_restore_drill.py), run as an operator runs them: `backup` and
`restore` in child processes against a real database file or PostgreSQL database.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyrage
import pytest

from core.backups import sha256
from tests.core.test_restore_drill import PG, _counts, _manage, make_site

DUMP = "database.pgdump" if PG else "database.sqlite3"
# The first bytes of a plaintext dump: pg_dump's custom format, or an SQLite file.
DUMP_MAGIC = b"PGDMP" if PG else b"SQLite format 3"


def _keygen(env: dict[str, str], path: Path) -> str:
    result = _manage(env, "backup_keygen", "--output", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """A live site, a key pair, and a backup encrypted to its public key."""
    work = tmp_path_factory.mktemp("sealed")
    env = make_site(work, "sealed")
    (work / "tmp").mkdir()
    env["TMPDIR"] = str(work / "tmp")  # where backup and restore keep their plaintext
    public = _keygen(env, work / "backup-key.txt")
    backup = _manage(env, "backup", "--output", str(work / "good"), "--encrypt-to", public)
    assert backup.returncode == 0, backup.stderr
    assert "encrypted to 1 key(s)" in backup.stdout
    return work, env, public


def _assert_live_untouched(work: Path, env: dict[str, str], before: dict[str, int]) -> None:
    assert _counts(env) == before
    assert (work / "media" / "evidence" / "四卡一袋.txt").read_text(
        encoding="utf-8"
    ) == "四卡一袋 台账扫描件"
    assert not [p for p in work.iterdir() if ".restore-" in p.name]
    assert not list((work / "tmp").iterdir()), "decrypted plaintext left behind"


def _copy(work: Path, name: str) -> Path:
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(work / "good", target)
    return target


def _rewrite_checksum(backup: Path, name: str) -> None:
    """Make the manifest agree with a changed file, as an attacker with write access would."""
    manifest = json.loads((backup / "manifest.json").read_text())
    f = backup / name
    manifest["files"][name] = {"bytes": f.stat().st_size, "sha256": sha256(f)}
    (backup / "manifest.json").write_text(json.dumps(manifest))


def test_only_sealed_files_reach_the_backup_directory(sealed):
    work, _env, public = sealed
    backup = work / "good"
    names = sorted(p.name for p in backup.iterdir())
    assert names == sorted([f"{DUMP}.age", "manifest.json", "media.tar.gz.age"])
    for name in (f"{DUMP}.age", "media.tar.gz.age"):
        data = (backup / name).read_bytes()
        assert data.startswith(b"age-encryption.org/v1\n")
        assert DUMP_MAGIC not in data
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["encryption"]["recipients"] == [public]
    assert set(manifest["encryption"]["contents"]) == {DUMP, "media.tar.gz"}
    # The plaintext was made in TMPDIR and removed.
    assert not list((work / "tmp").iterdir())


def test_backup_refuses_a_secret_key_or_a_bad_recipient(sealed):
    work, env, _public = sealed
    for value, reason in [
        (str(work / "backup-key.txt"), "holds a secret key"),
        ("age1notakey", "is not a valid public key"),
        (str(work / "no-such-file"), "is not a public key"),
    ]:
        result = _manage(env, "backup", "--output", str(work / "refused"), "--encrypt-to", value)
        assert result.returncode != 0
        assert reason in result.stderr
        assert not (work / "refused").exists()
    # A key file is never overwritten: backups sealed to it would become unreadable.
    kept = (work / "backup-key.txt").read_text()
    again = _manage(env, "backup_keygen", "--output", str(work / "backup-key.txt"))
    assert again.returncode != 0 and "never overwritten" in again.stderr
    assert (work / "backup-key.txt").read_text() == kept


def test_restore_without_the_key_or_with_another_is_refused(sealed):
    work, env, public = sealed
    before = _counts(env)
    result = _manage(env, "restore", "--input", str(work / "good"))
    assert result.returncode != 0
    assert "restore refused, nothing was changed" in result.stderr
    assert "the backup is encrypted" in result.stderr and public in result.stderr
    _assert_live_untouched(work, env, before)

    _keygen(env, work / "other-key.txt")
    result = _manage(
        env, "restore", "--input", str(work / "good"), "--identity", str(work / "other-key.txt")
    )
    assert result.returncode != 0
    assert "restore refused, nothing was changed" in result.stderr
    assert "cannot be opened with the key in" in result.stderr
    _assert_live_untouched(work, env, before)


@pytest.mark.parametrize("name", [f"{DUMP}.age", "media.tar.gz.age"])
def test_a_tampered_sealed_file_is_refused(sealed, name):
    work, env, _public = sealed
    before = _counts(env)
    key = str(work / "backup-key.txt")
    bad = _copy(work, f"tampered-{name}")
    data = bytearray((bad / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (bad / name).write_bytes(bytes(data))

    # The manifest's checksum of the sealed file catches it before any key is used …
    result = _manage(env, "restore", "--input", str(bad), "--identity", key)
    assert result.returncode != 0
    assert "does not match its SHA-256 checksum" in result.stderr
    _assert_live_untouched(work, env, before)

    # … and with that checksum forged too, age's authentication does.
    _rewrite_checksum(bad, name)
    result = _manage(env, "restore", "--input", str(bad), "--identity", key)
    assert result.returncode != 0
    assert "restore refused, nothing was changed" in result.stderr
    assert "fails age's authentication" in result.stderr
    _assert_live_untouched(work, env, before)


def test_a_sealed_file_replaced_with_other_content_is_refused(sealed):
    """A sealed file swapped for another (a mix-up, or another sealing to the same key with the
    manifest left as it was) is told apart by the plaintext checksum. A forger who rewrites the
    manifest too is not caught here: the manifest is unsigned (see core.backup_crypto)."""
    work, env, public = sealed
    before = _counts(env)
    bad = _copy(work, "replaced")
    (bad / "media.tar.gz.age").write_bytes(
        pyrage.encrypt(b"not the backup", [pyrage.x25519.Recipient.from_str(public)])
    )
    _rewrite_checksum(bad, "media.tar.gz.age")
    result = _manage(
        env, "restore", "--input", str(bad), "--identity", str(work / "backup-key.txt")
    )
    assert result.returncode != 0
    assert "media.tar.gz decrypted does not match the checksum" in result.stderr
    _assert_live_untouched(work, env, before)


def test_the_right_key_restores_the_encrypted_backup(sealed):
    work, env, _public = sealed
    before = _counts(env)
    (work / "media" / "evidence" / "四卡一袋.txt").write_text("改过", encoding="utf-8")
    changed = _manage(
        env,
        "shell",
        "-c",
        'from django.contrib.auth.models import Group; Group.objects.create(name="加密演练后新增")',
    )
    assert changed.returncode == 0
    assert _counts(env) != before
    result = _manage(
        env, "restore", "--input", str(work / "good"), "--identity", str(work / "backup-key.txt")
    )
    assert result.returncode == 0, result.stderr
    assert "decrypted; the contents match their checksums" in result.stdout
    assert "previous data kept as" in result.stdout
    assert _counts(env) == before
    assert (work / "media" / "evidence" / "四卡一袋.txt").read_text(
        encoding="utf-8"
    ) == "四卡一袋 台账扫描件"
    assert _manage(env, "verify_ledger").returncode == 0
    assert not list((work / "tmp").iterdir()), "decrypted plaintext left behind"


def test_a_manifest_naming_a_path_outside_the_backup_is_refused_before_decrypting(sealed):
    """Decryption writes the file before its checksum is compared: a name like "../x" or an
    absolute path must be refused first, or a forged manifest writes wherever it likes."""
    work, env, _public = sealed
    before = _counts(env)
    bad = _copy(work, "escaping")
    manifest = json.loads((bad / "manifest.json").read_text())
    escaping = "../escaped.tar.gz"
    manifest["encryption"]["contents"][escaping] = manifest["encryption"]["contents"].pop(
        "media.tar.gz"
    )
    manifest["files"][escaping + ".age"] = manifest["files"].pop("media.tar.gz.age")
    shutil.copy(bad / "media.tar.gz.age", work / "escaped.tar.gz.age")
    (bad / "manifest.json").write_text(json.dumps(manifest))
    result = _manage(
        env, "restore", "--input", str(bad), "--identity", str(work / "backup-key.txt")
    )
    assert result.returncode != 0
    assert "names files a backup never holds" in result.stderr
    assert not (work / "tmp" / "escaped.tar.gz").exists()
    _assert_live_untouched(work, env, before)


def test_a_key_given_for_a_backup_that_is_not_encrypted_is_refused(sealed):
    work, env, _public = sealed
    before = _counts(env)
    shutil.rmtree(work / "plain", ignore_errors=True)
    assert _manage(env, "backup", "--output", str(work / "plain")).returncode == 0
    result = _manage(
        env, "restore", "--input", str(work / "plain"), "--identity", str(work / "backup-key.txt")
    )
    assert result.returncode != 0
    assert "--identity was given but this backup is not encrypted" in result.stderr
    _assert_live_untouched(work, env, before)
