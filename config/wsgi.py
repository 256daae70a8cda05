import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view now, while the worker starts, not inside the first request it serves:
# the URLconf pulls in each app's views and services (pandas among them), 1.5-4 s that a user
# waited for after every start and every recycle (gunicorn renews a worker each ~2,000 requests).
get_resolver().url_patterns  # noqa: B018  (evaluated for its imports)
