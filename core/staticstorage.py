"""The production static files storage: whitenoise's compressed manifest, minus one rewrite.

Django rewrites a script's `//# sourceMappingURL=` comment to the map's hashed name and fails
the whole collectstatic when the map is missing. Vendored libraries are copied unchanged from
their packages (<app>/static/vendor/*/SOURCE.md, with checksums) and their maps are not shipped, so
scripts keep their comment as it is (a browser's developer tools ask for the map, get a 404,
and nothing else changes). Stylesheets are still rewritten as before."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (glob, rules)
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
        if glob != "*.js"
    )
