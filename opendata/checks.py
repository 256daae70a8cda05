"""The official OCDS data checks, offline: schema validation and undeclared (additional) fields.

This is what the Open Contracting Partnership's checker (libcoveocds) reports as errors and
as "additional fields", computed the same way but without the network: the release schema is
the official OCDS 1.1.5 release and release-package schemas vendored unchanged in
opendata/schema (their provenance and Apache-2.0 licence in opendata/schema/README.md), patched with this publication's own extensions (opendata/extensions)
by JSON Merge Patch (RFC 7386), which is how OCDS extensions apply to the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

from opendata.ocds import EXTENSIONS

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "schema"
EXTENSIONS_DIR = HERE / "extensions"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _patched(name: str) -> dict[str, Any]:
    schema = _load(SCHEMA_DIR / name)
    for extension in EXTENSIONS:
        metadata = _load(EXTENSIONS_DIR / extension / "extension.json")
        if name in metadata.get("schemas", []):
            schema = merge_patch(schema, _load(EXTENSIONS_DIR / extension / name))
    return schema


@cache
def release_schema() -> dict[str, Any]:
    """The official release schema with every declared extension applied."""
    return _patched("release-schema.json")


@cache
def package_schema() -> dict[str, Any]:
    """The release package schema with the extensions; releases are checked one by one."""
    schema = _patched("release-package-schema.json")
    schema["properties"]["releases"]["items"] = {"type": "object"}
    return schema


def record_package_schema() -> dict[str, Any]:
    """A record package: the release package's metadata with `records` instead of releases."""
    schema = json.loads(json.dumps(package_schema()))
    schema["properties"].pop("releases")
    schema["required"] = [k if k != "releases" else "records" for k in schema["required"]]
    schema["properties"]["records"] = {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["ocid", "releases"],
            "properties": {
                "ocid": {"type": "string"},
                "releases": {"type": "array"},
                "compiledRelease": {"type": "object"},
            },
            "additionalProperties": False,
        },
    }
    links = _load(EXTENSIONS_DIR / "pagination" / "record-package-schema.json")
    return merge_patch(schema, links)  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/definitions/"):
            raise ValueError(f"only local references are supported: {ref}")
        schema = root["definitions"][ref.rsplit("/", 1)[1]]
    return schema


def additional_fields(data: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    """Paths of fields in `data` that no schema property (or language pattern) declares."""
    found: list[str] = []

    def walk(value: Any, node: dict[str, Any], path: str) -> None:
        node = _resolve(node, root)
        if isinstance(value, dict):
            properties = node.get("properties", {})
            patterns = node.get("patternProperties", {})
            for key, item in value.items():
                if key in properties:
                    walk(item, properties[key], f"{path}/{key}")
                elif not any(re.search(p, key) for p in patterns):
                    found.append(f"{path}/{key}")
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for i, item in enumerate(value):
                walk(item, node["items"], f"{path}/{i}")

    walk(data, schema, "")
    return found


def _errors(validator: Draft4Validator, data: Any, where: str) -> list[str]:
    return [
        f"{where}/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]


def check_release_package(package: dict[str, Any]) -> list[str]:
    """Every schema error and additional field of a release package, as readable lines."""
    return [*check_package_metadata(package), *check_releases(package.get("releases", []))]


def check_package_metadata(package: dict[str, Any], *, records: bool = False) -> list[str]:
    schema = record_package_schema() if records else package_schema()
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    problems = _errors(validator, package, "package")
    top = {k: v for k, v in package.items() if k not in ("releases", "records")}
    problems += [f"additional field: package{p}" for p in additional_fields(top, schema, schema)]
    return problems


def check_releases(releases: Iterable[dict[str, Any]]) -> list[str]:
    schema = release_schema()
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for release in releases:
        where = str(release.get("id"))
        problems += _errors(validator, release, where)
        problems += [
            f"additional field: {where}{p}" for p in additional_fields(release, schema, schema)
        ]
        key = (release.get("ocid", ""), release.get("id", ""))
        if key in seen:
            problems.append(f"{where}: release id repeated within its ocid")
        seen.add(key)
    return problems


def check_record_package(package: dict[str, Any]) -> list[str]:
    problems = check_package_metadata(package, records=True)
    compiled = [r["compiledRelease"] for r in package.get("records", []) if "compiledRelease" in r]
    schema = release_schema()
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    for release in compiled:
        where = f"compiled {release.get('ocid')}"
        problems += _errors(validator, release, where)
        problems += [
            f"additional field: {where}{p}" for p in additional_fields(release, schema, schema)
        ]
    return problems
