"""Lantern as production runs it: PostgreSQL, Redis, two gunicorn processes, nginx ending TLS, a mail server.

Everything comes from deploy/, so the tests run what a clinic installs: the commands from
deploy/systemd/lantern.service, gunicorn's settings from deploy/gunicorn.conf.py, nginx's site
from deploy/nginx/lantern.conf and the variables named in deploy/lantern.env.example (each given
a value here). Only names, ports, paths and secrets are swapped. Used by tests/production and
bench/load.py:

    with production_stack() as stack:
        stack.base_url      # https://127.0.0.1:<port>, through nginx
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.production.mailbox import Mailbox

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
# The site's shipped paths, as they stand in deploy/; the stack runs them from this checkout.
SHIPPED_VENV_BIN = "/srv/lantern/.venv/bin/"
ADMIN_DATABASE_URL = os.environ.get("LANTERN_STACK_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# A Redis database of its own, so the stack's rate-limit counts never meet another program's.
REDIS_URL = os.environ.get("LANTERN_STACK_REDIS_URL", "redis://127.0.0.1:6379/13")
LANTERN_SETTINGS = ("LANTERN_", "MAIL_", "RATELIMIT_", "DATABASE_URL", "SECRET_KEY", "TEST_DATABASE_URL", "FLASK_")
PASSWORDS = {
    "learner@demo.lantern": "demo-learner-2026",
    "facilitator@demo.lantern": "demo-facilitator-2026",
    "admin@demo.lantern": "demo-admin-2026",
}


class StackUnavailable(RuntimeError):
    """A part of the stack that cannot be had on this machine (nginx not installed)."""


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unverified_tls() -> ssl.SSLContext:
    """A client context that accepts the stack's self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Stack:
    """A running production stack and the handles a test needs."""

    base_url: str  # through nginx, over HTTPS
    app_url: str  # gunicorn itself, plain HTTP on 127.0.0.1 (what only nginx should talk to)
    database_url: str
    env: dict[str, str]
    mailbox: Mailbox
    workdir: Path
    logs: dict[str, Path] = field(default_factory=dict)

    def query(self, sql: str, *params) -> list[tuple]:
        """Run one SQL statement on the stack's database and return its rows."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, sql: str, *params):
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ...` with the stack's production environment."""
        return run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], self.env)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path and path.exists() else ""


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def unit_commands(unit: Path) -> dict[str, list[str]]:
    """Return a systemd unit's ExecStartPre/ExecStart command lines, run from this checkout's virtualenv."""
    commands = {}
    for line in unit.read_text().splitlines():
        key, _, value = line.partition("=")
        if key in ("ExecStartPre", "ExecStart"):
            words = shlex.split(value)
            words[0] = words[0].replace(SHIPPED_VENV_BIN, str(VENV_BIN) + "/")
            commands[key] = words
    return commands


def production_env(values: dict[str, str]) -> dict[str, str]:
    """Return the process environment: every variable of deploy/lantern.env.example, with the stack's values."""
    example = {}
    for line in (DEPLOY / "lantern.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            example[key.strip()] = value.strip()
    unset = sorted(set(example) - set(values))
    # A variable added to the example must be given a deliberate value here, or the test is not production.
    assert not unset, f"the stack gives no value to {unset} from deploy/lantern.env.example"
    assert example["LANTERN_ENV"] == values["LANTERN_ENV"] == "production"
    # Nothing of the developer's own Lantern settings may leak in: only what the example names, as set here.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(LANTERN_SETTINGS)}
    return {**inherited, **example, **values}


def render_nginx_site(tls_port: int, http_port: int, app_port: int, cert: Path, key: Path, logs: Path) -> str:
    """Return deploy/nginx/lantern.conf with the stack's name, ports, certificate and log folder."""
    site = (DEPLOY / "nginx" / "lantern.conf").read_text()
    swaps = [
        ("/etc/letsencrypt/live/lantern.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/lantern.example.org/privkey.pem", str(key)),
        ("lantern.example.org", "127.0.0.1"),
        ("listen 443 ssl", f"listen 127.0.0.1:{tls_port} ssl"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/var/log/nginx/", f"{logs}/"),
    ]
    for shipped, ours in swaps:
        # If the example changes shape, say so rather than test something else.
        assert shipped in site, f"deploy/nginx/lantern.conf no longer contains {shipped!r}"
        site = site.replace(shipped, ours)
    return site


def nginx_main_config(workdir: Path, site: Path) -> str:
    """The part of nginx.conf that Debian's package provides: here with the stack's own pid, logs and temp files."""
    temp = workdir / "nginx-temp"
    temp.mkdir()
    # As root nginx's workers would become "nobody" and could not use the private temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}worker_processes auto;\ndaemon off;\npid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    sendfile on;\n{temp_paths}    include {site};\n}}\n"
    )


def wait_until_healthy(url: str, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2, context=unverified_tls()) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer 200 on {url} within {seconds}s")


@contextmanager
def background(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run a server process for the length of the block; stop it (and its children) after."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for the stack; drop it afterwards."""
    name = "lantern_prodstack_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    server = ADMIN_DATABASE_URL.rsplit("/", 1)[0]
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def clear_rate_limits() -> None:
    """Forget the counts a previous run left in the stack's Redis database (only Flask-Limiter's keys)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter("LIMITER*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def production_stack(extra_env: dict[str, str] | None = None, demo: bool = True) -> Iterator[Stack]:
    """Start the whole stack (demo data loaded unless demo=False); tear it all down after the block."""
    nginx = find_nginx()
    if nginx is None:
        raise StackUnavailable("nginx is not installed (as root, `bash scripts/test` installs Debian's nginx)")
    with ExitStack() as cleanup:
        workdir = Path(tempfile.mkdtemp(prefix="lantern-prodstack-"))
        cleanup.callback(shutil.rmtree, workdir, True)
        cert, key = workdir / "cert.pem", workdir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )
        database_url = cleanup.enter_context(fresh_database())
        mailbox = Mailbox()
        mailbox.start(free_port())
        cleanup.callback(mailbox.stop)
        clear_rate_limits()
        cleanup.callback(clear_rate_limits)
        tls_port, http_port, app_port = free_port(), free_port(), free_port()
        instance = workdir / "instance"
        instance.mkdir()
        env = production_env({
            "LANTERN_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "LANTERN_BASE_URL": f"https://127.0.0.1:{tls_port}",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "LANTERN_PROXY_COUNT": "1",
            "LANTERN_INSTANCE_PATH": str(instance),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mailbox.port),
            "MAIL_USE_TLS": "false",
            "MAIL_USERNAME": "",
            "MAIL_PASSWORD": "",
            "MAIL_FROM": "lantern@clinic.test",
            "LANTERN_ORG_NAME": "Test Family Clinic",
            "LANTERN_ORG_CONTACT": "",
            "LANTERN_BIND": f"127.0.0.1:{app_port}",
            "LANTERN_WORKERS": "2",
            **(extra_env or {}),
        })
        stack = Stack(f"https://127.0.0.1:{tls_port}", f"http://127.0.0.1:{app_port}", database_url, env, mailbox, workdir)
        commands = unit_commands(DEPLOY / "systemd" / "lantern.service")
        run(commands["ExecStartPre"], env)  # flask --app wsgi db upgrade
        if demo:
            stack.flask("demo")

        stack.logs["gunicorn"] = workdir / "gunicorn.log"
        gunicorn = cleanup.enter_context(background(commands["ExecStart"], env, stack.logs["gunicorn"]))
        site = workdir / "lantern.conf"
        site.write_text(render_nginx_site(tls_port, http_port, app_port, cert, key, workdir))
        main = workdir / "nginx.conf"
        main.write_text(nginx_main_config(workdir, site))
        stack.logs["nginx"] = workdir / "nginx-error.log"
        nginx_log = workdir / "nginx-stderr.log"
        nginx_process = cleanup.enter_context(
            background([nginx, "-p", str(workdir), "-c", str(main), "-e", str(stack.logs["nginx"])], env, nginx_log)
        )
        try:
            wait_until_healthy(stack.app_url + "/healthz", gunicorn, "gunicorn")
            wait_until_healthy(stack.base_url + "/healthz", nginx_process, "nginx")
        except RuntimeError as error:
            raise RuntimeError(
                f"{error}\n--- gunicorn\n{stack.log_tail('gunicorn')}\n--- nginx\n{stack.log_tail('nginx')}"
                f"\n{nginx_log.read_text(errors='replace')}"
            ) from None
        yield stack
