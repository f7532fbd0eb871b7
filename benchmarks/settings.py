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
