"""gunicorn settings for Steady: `gunicorn -c gunicorn.conf.py clinic.wsgi` (what `make serve` runs).

Every value can be changed from the environment; the defaults suit a small machine.
"""

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

from clinic.lib.env import env_int, env_str

bind = env_str("BIND", "127.0.0.1:8000")

# Threads keep a worker answering while one request waits on PostgreSQL; several processes mean
# a crashed or killed worker costs only the requests it held. 2×cores+1 processes, capped so a
# large machine does not open more database connections than PostgreSQL allows (each thread
# holds one persistent connection: workers × threads per app server).
_CORES = os.cpu_count() or 1
workers = env_int("WEB_CONCURRENCY", min(2 * _CORES + 1, 8), minimum=1)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 2, minimum=1)

# A request that takes longer than this is killed and its worker replaced.
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow memory growth never becomes an outage.
max_requests = 2000
max_requests_jitter = 200

# The worker heartbeat file is touched constantly; keep it off disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket lives in $HOME and would be shared by every gunicorn on the machine.
control_socket_disable = True

# Client addresses that may tell gunicorn a request came over HTTPS (X-Forwarded-Proto): the
# proxy in front of it. gunicorn reads FORWARDED_ALLOW_IPS itself; 127.0.0.1 by default.

# Request lines are logged by Django (clinic.ops.middleware) without query strings or tokens,
# so gunicorn's own access log stays off; its error log uses the same JSON lines on stdout.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "clinic.ops.logs.JsonFormatter"}},
    "filters": {"redact_tokens": {"()": "clinic.ops.logs.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
            "filters": ["redact_tokens"],
        },
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# No `Server: gunicorn` header: naming the server and inviting a scanner's matching exploits
# serves nobody. gunicorn has no setting for it, so its default headers are filtered here.
_gunicorn_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _gunicorn_default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
