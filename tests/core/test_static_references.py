"""Every file a template names with {% static %} is one collectstatic collects: with DEBUG off
the manifest storage answers a page naming a missing one with a 500 (the planning dashboard
did, for its vendored chart library)."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def test_every_static_reference_is_collected():
    # Sanshe's own apps (they come first in INSTALLED_APPS), wherever they are installed: in a
    # wheel install BASE_DIR is site-packages, beside every other distribution's templates.
    ours = settings.INSTALLED_APPS[: settings.INSTALLED_APPS.index("django.contrib.admin")]
    assert "planning" in ours
    named = {
        ref
        for app in ours
        for template in Path(apps.get_app_config(app).path).glob("templates/**/*.html")
        for ref in STATIC_TAG.findall(template.read_text(encoding="utf-8"))
    }
    assert "vendor/chartjs-4.4.7/chart.umd.js" in named
    missing = sorted(ref for ref in named if finders.find(ref) is None)
    assert missing == []


def test_collectstatic_with_the_production_storage_collects_them(settings, tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.staticstorage.StaticStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    staticfiles_storage._setup()  # the storage the template tag uses, now with the manifest
    hashed = staticfiles_storage.url("vendor/chartjs-4.4.7/chart.umd.js")
    assert hashed.startswith("/static/vendor/chartjs-4.4.7/chart.umd.")
    assert (tmp_path / hashed.removeprefix("/static/")).exists()
