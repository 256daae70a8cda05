"""Every file a template names with {% static %} is one collectstatic collects: with DEBUG off
the manifest storage answers a page naming a missing one with a 500 (the planning dashboard
did, for its vendored chart library)."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def test_every_static_reference_is_collected():
    root = Path(settings.BASE_DIR)
    named = {
        ref
        for template in root.glob("*/templates/**/*.html")
        for ref in STATIC_TAG.findall(template.read_text(encoding="utf-8"))
    }
    assert "vendor/chartjs-4.4.7/chart.umd.js" in named
    missing = sorted(ref for ref in named if finders.find(ref) is None)
    assert missing == []
