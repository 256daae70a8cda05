"""deploy/gunicorn.conf.py runs 2 × cores + 1 sync workers unless told otherwise; SANSHE_THREADS
above 1 switches to gthread workers with that many threads (measured worse for the slowest
requests on two cores, see docs/benchmarks.md, so not the default)."""

import multiprocessing
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _conf(monkeypatch, **env):
    for name in ("SANSHE_WORKERS", "SANSHE_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_default_is_sync_workers_two_per_core_plus_one(monkeypatch):
    conf = _conf(monkeypatch)
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert (conf["worker_class"], conf["threads"]) == ("sync", 1)


def test_threads_choose_gthread(monkeypatch):
    conf = _conf(monkeypatch, SANSHE_WORKERS="3", SANSHE_THREADS="4")
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (3, "gthread", 4)
