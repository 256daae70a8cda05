"""A gunicorn worker imports every view when it loads config.wsgi, so the first request a new
or recycled worker serves does not wait seconds for the URLconf's imports."""

import subprocess
import sys


def test_loading_the_wsgi_application_imports_the_views():
    probe = (
        "import sys, config.wsgi; "
        "missing = [m for m in ('evaluation.views', 'funds.views', 'procurement.views', "
        "'planning.views', 'opendata.views') if m not in sys.modules]; "
        "print(missing)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr[-2000:]
