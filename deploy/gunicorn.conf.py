"""gunicorn settings for Sanshe (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be overridden from the environment (SANSHE_BIND, SANSHE_WORKERS, …), so the same
file serves the systemd unit, the container and the rehearsal's two app servers.
"""

import multiprocessing
import os

bind = os.environ.get("SANSHE_BIND", "127.0.0.1:8000")
# Sync workers: requests are short (long exports run on the task worker); two per core.
workers = int(os.environ.get("SANSHE_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
# SANSHE_THREADS > 1 runs gthread workers with that many threads each (see docs/benchmarks.md,
# "Pages under load", for what each choice gave on two cores).
threads = int(os.environ.get("SANSHE_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request longer than this is a bug or an attack; PDFs and CSV streams finish well inside it.
timeout = int(os.environ.get("SANSHE_REQUEST_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front (nginx) buffers slow clients; trust its forwarded headers only from it.
forwarded_allow_ips = os.environ.get("SANSHE_TRUSTED_PROXIES", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("DJANGO_LOG_LEVEL", "info").lower()
proc_name = "sanshe"
# gunicorn's control socket defaults to one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn), so
# two app servers on one host (sanshe-web@8000 and @8001, the rehearsal) would take it from each
# other, and under systemd's ProtectHome the home directory is not writable. Off unless a path
# is given, e.g. SANSHE_CONTROL_SOCKET=/run/sanshe/web-8000.ctl for `gunicornc`.
control_socket = os.environ.get("SANSHE_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
