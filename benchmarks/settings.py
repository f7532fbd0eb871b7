"""Settings for the benchmark server: the app's own settings, plus a /hello/ view.

Selected with DJANGO_SETTINGS_MODULE=benchmarks.settings by benchmarks/load.py and
benchmarks/fault.py; nothing else uses it. Everything else (database, security, static files
storage) is exactly config.settings, driven by the same environment variables.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# collectstatic of a benchmark run goes to its own temp dir, never the work tree's staticfiles/.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

# Self-test of the checks: BENCH_WITHOUT_MIDDLEWARE=<dotted path> drops one middleware, e.g.
# config.middleware.DatabaseUnavailableMiddleware to watch fault.py's 503 checks fail.
if os.environ.get("BENCH_WITHOUT_MIDDLEWARE"):
    MIDDLEWARE = [m for m in MIDDLEWARE if m != os.environ["BENCH_WITHOUT_MIDDLEWARE"]]  # noqa: F405
