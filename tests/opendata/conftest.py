"""The official OCDS 1.1 release schema, taken from a maintained package on PyPI.

ocdsmerge (the OCDS merge reference implementation) ships the official release schema
(1.1.4) among the test fixtures of its source distribution; it is downloaded once with pip
into .cache/ocds/ — a package registry, as the install steps use — and never at run time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "ocds"
SDIST = "ocdsmerge==0.8.0"
MEMBER = "ocdsmerge-0.8.0/tests/fixtures/release-schema-1__1__4.json"


def official_release_schema() -> dict:
    target = CACHE / "release-schema-1__1__4.json"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed argv: pip from this interpreter
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-q",
                "-d",
                str(CACHE),
                SDIST,
            ],
            check=True,
        )
        with tarfile.open(next(CACHE.glob("ocdsmerge-0.8.0.tar.gz"))) as tar:
            source = tar.extractfile(MEMBER)
            assert source is not None
            target.write_bytes(source.read())
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/1__1__4/release-schema.json")
    return schema


@pytest.fixture(scope="session")
def release_schema() -> dict:
    return official_release_schema()


@pytest.fixture(scope="session")
def release_validator(release_schema):
    from jsonschema import Draft4Validator, FormatChecker

    return Draft4Validator(release_schema, format_checker=FormatChecker())
