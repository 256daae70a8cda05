"""Encrypted backups: each file of a backup sealed with age (age-encryption.org, through pyrage).

`backup --encrypt-to RECIPIENT` writes the dump and the media archive into a private temporary
directory, encrypts each to the recipients as `<name>.age` in the backup directory and removes
the plaintext, so nothing readable reaches the backup disk. The manifest stays readable: the
checksums of the `.age` files (damage is found before any key is needed), the recipients' public
keys (which key opens it), and the size and SHA-256 of each plaintext file.

`restore --identity FILE` checks those checksums, decrypts into a private temporary directory
and compares each decrypted file with its plaintext checksum before anything is staged. A
wrong key, a file altered after encryption (age authenticates every 64 KiB chunk) or a
truncated one is refused with the reason; nothing live has been touched by then.

What this does not do: the manifest is not signed. Anyone who can write to the backup disk
and reads the recipients' public keys in it can seal a complete forged backup that passes every
check here; the checksums find damage and mix-ups, not a forger. The ledger's daily anchor, kept
outside the database and the backup (`SANSHE_LEDGER_ANCHOR_FILE`), is what `verify_ledger`
checks a restored book against; keep backups on storage only the operator can write.

The format is standard age: `age -d -i key.txt database.pgdump.age > database.pgdump` opens a
backup without Sanshe. Recipients are age X25519 public keys (`age1…`, from `sanshe
backup_keygen` or `age-keygen`) or SSH public keys (ssh-ed25519, ssh-rsa); identities the
matching secret key file or an unencrypted OpenSSH private key.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyrage

from core.backups import BackupRefusedError, sha256

SUFFIX = ".age"
SCHEME = "age"
# The only plaintext files a backup holds. A manifest naming anything else (an absolute path, a
# "../" that climbs out of the temporary directory) is refused before a byte is decrypted:
# decryption writes the file before its checksum can be compared.
NAMES = frozenset({"database.pgdump", "database.sqlite3", "media.tar.gz"})


class BackupKeyError(ValueError):
    """A recipient or identity that cannot be read; the message names the value and why."""


def _recipient(text: str) -> Any:
    try:
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
        if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return pyrage.ssh.Recipient.from_str(text)
    except pyrage.RecipientError as exc:
        raise BackupKeyError(f"{text[:24]}… is not a valid public key: {exc}") from exc
    raise BackupKeyError(f"{text[:24]}… is neither an age public key (age1…) nor an SSH public key")


def load_recipients(values: list[str]) -> tuple[list[Any], list[str]]:
    """Each value is a public key or a file of them (one a line, # comments): keys and texts."""
    keys: list[Any] = []
    texts: list[str] = []
    for value in values:
        value = value.strip()
        if value.startswith(("age1", "ssh-")):
            lines = [value]
        else:
            path = Path(value)
            if not path.is_file():
                raise BackupKeyError(
                    f"{value} is not a public key (age1…, ssh-ed25519 …) nor a file of them"
                )
            content = path.read_text(encoding="utf-8", errors="replace")
            if "AGE-SECRET-KEY-" in content or "PRIVATE KEY-----" in content:
                raise BackupKeyError(
                    f"{value} holds a secret key: give backup the public key (age1…) only and"
                    " keep the secret key away from the server, for restore"
                )
            lines = [ln.strip() for ln in content.splitlines()]
            lines = [ln for ln in lines if ln and not ln.startswith("#")]
            if not lines:
                raise BackupKeyError(f"{value} holds no public key")
        for line in lines:
            keys.append(_recipient(line))
            texts.append(line)
    return keys, texts


def load_identities(path: Path) -> list[Any]:
    """The secret keys in an age identity file (age-keygen's format) or an OpenSSH private key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackupRefusedError(f"the identity file {path} cannot be read: {exc}") from exc
    text = data.decode("utf-8", errors="replace")
    if "AGE-SECRET-KEY-" in text:
        identities = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except pyrage.IdentityError as exc:
                raise BackupRefusedError(
                    f"{path}: line {number} is not an age secret key ({exc})"
                ) from exc
        return identities
    try:
        return [pyrage.ssh.Identity.from_buffer(data)]
    except pyrage.IdentityError as exc:
        raise BackupRefusedError(
            f"{path} is neither an age identity file (AGE-SECRET-KEY-1…) nor an unencrypted"
            f" OpenSSH private key ({exc})"
        ) from exc


def new_identity() -> tuple[str, str]:
    """A fresh X25519 key pair as (secret key line, public key)."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def encrypt_files(
    plain: Path, names: list[str], out: Path, recipients: list[Any]
) -> dict[str, Any]:
    """Seal each plaintext file into out/<name>.age; return the plaintexts' sizes and checksums."""
    contents = {}
    for name in names:
        contents[name] = {"bytes": (plain / name).stat().st_size, "sha256": sha256(plain / name)}
        pyrage.encrypt_file(str(plain / name), str(out / (name + SUFFIX)), recipients)
    return contents


def decrypt_backup(src: Path, manifest: dict[str, Any], identity: Path) -> Path:
    """Decrypt every file into a new private temporary directory (the caller removes it)."""
    identities = load_identities(identity)
    encryption = manifest["encryption"]
    names = set(encryption.get("contents") or {})
    if not names or not names <= NAMES:
        raise BackupRefusedError(
            "the manifest names files a backup never holds: "
            + ", ".join(sorted(repr(n) for n in names - NAMES) or ["none"])
        )
    if set(manifest.get("files") or {}) != {n + SUFFIX for n in names}:
        raise BackupRefusedError("the manifest's sealed files and their contents do not correspond")
    # TMPDIR decides where: it needs room for the plaintext dump and media archive.
    plain = Path(tempfile.mkdtemp(prefix="sanshe-restore-"))
    try:
        for name, expected in encryption["contents"].items():
            sealed, target = src / (name + SUFFIX), plain / name
            try:
                pyrage.decrypt_file(str(sealed), str(target), identities)
            except pyrage.DecryptError as exc:
                raise BackupRefusedError(
                    f"{sealed.name} cannot be opened with the key in {identity} ({exc}): the"
                    f" backup was encrypted to {', '.join(encryption['recipients'])}"
                ) from exc
            except OSError as exc:
                raise BackupRefusedError(
                    f"{sealed.name} fails age's authentication ({exc}): it was altered or cut"
                    " after encryption"
                ) from exc
            if target.stat().st_size != expected["bytes"] or sha256(target) != expected["sha256"]:
                raise BackupRefusedError(
                    f"{name} decrypted does not match the checksum written at backup time"
                    " (replaced or tampered)"
                )
    except BaseException:
        shutil.rmtree(plain, ignore_errors=True)
        raise
    return plain
