"""gunicorn settings for Lantern in production: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

Used by deploy/systemd/lantern.service and by the production tests (tests/production/stack.py).
"""

import os

# Only nginx, on this machine, talks to gunicorn.
bind = os.environ.get("LANTERN_BIND", "127.0.0.1:8000")
# Two processes (one can restart while the other serves); threads cover the waits on PostgreSQL.
workers = int(os.environ.get("LANTERN_WORKERS", "2"))
threads = int(os.environ.get("LANTERN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart each process now and then, so a slow leak can never grow for months.
max_requests = 5000
max_requests_jitter = 500
# nginx keeps the access log (without addresses); gunicorn logs only errors, to the journal.
accesslog = None
errorlog = "-"
loglevel = "warning"
forwarded_allow_ips = "127.0.0.1"
