"""Settings from the environment; safe defaults for development only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def database_url(instance_path: str) -> str:
    """Return the database URL: DATABASE_URL, or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "lantern.sqlite3")
    # Hosting platforms still hand out "postgres://"; SQLAlchemy only knows "postgresql://".
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def secret_key(instance_path: str, production: bool) -> str:
    """Return SECRET_KEY; in development, make one and keep it so logins survive a restart."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when LANTERN_ENV=production.")
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def base_url(production: bool) -> str:
    """Return LANTERN_BASE_URL (required in production: links in mail are built on it)."""
    url = os.environ.get("LANTERN_BASE_URL", "").strip().rstrip("/")
    if url and not (url.startswith("https://") or url.startswith("http://")):
        raise ConfigError(f"LANTERN_BASE_URL must start with https:// (or http:// in development), not {url!r}.")
    if production and not url:
        raise ConfigError("LANTERN_BASE_URL must be set when LANTERN_ENV=production (for example https://lantern.example.org).")
    return url


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml", ".webp": "image/webp"}
MIN_CONTRAST_ON_WHITE = 4.5  # WCAG AA for text: buttons put white text on the accent colour


def org_logo() -> str:
    """Return LANTERN_ORG_LOGO, the path of the clinic's logo file (PNG, JPEG, SVG or WebP), or ''."""
    raw = os.environ.get("LANTERN_ORG_LOGO", "").strip()
    if not raw:
        return ""
    path = Path(raw)
    if path.suffix.lower() not in LOGO_TYPES:
        raise ConfigError(f"LANTERN_ORG_LOGO must be a .png, .jpg, .svg or .webp file, not {raw!r}.")
    if not path.is_file():
        raise ConfigError(f"LANTERN_ORG_LOGO names a file that does not exist: {raw!r}.")
    return str(path.resolve())


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(colour: str) -> float:
    """Return the WCAG contrast ratio of white text on a #rrggbb colour."""
    return 1.05 / (_luminance(colour) + 0.05)


def org_accent() -> str:
    """Return LANTERN_ORG_ACCENT as #rrggbb, or ''; refuse a colour white text cannot be read on."""
    raw = os.environ.get("LANTERN_ORG_ACCENT", "").strip().lower()
    if not raw:
        return ""
    if len(raw) == 4 and raw.startswith("#"):
        raw = "#" + "".join(char * 2 for char in raw[1:])
    if len(raw) != 7 or not raw.startswith("#") or any(char not in "0123456789abcdef" for char in raw[1:]):
        raise ConfigError(f"LANTERN_ORG_ACCENT must be a colour like #0b5394, not {raw!r}.")
    if contrast_on_white(raw) < MIN_CONTRAST_ON_WHITE:
        raise ConfigError(
            f"LANTERN_ORG_ACCENT {raw} is too light: white text on it is hard to read "
            f"(contrast {contrast_on_white(raw):.1f}, needs {MIN_CONTRAST_ON_WHITE}). Choose a darker shade."
        )
    return raw


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc


def from_environment(instance_path: str, needs_secret: bool = True) -> dict:
    """Build the Flask config mapping from the process environment."""
    production = os.environ.get("LANTERN_ENV", "development").strip().lower() == "production"
    return {
        "LANTERN_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key(instance_path, production) if needs_secret else "",
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # hide_parameters: a database error in the log never carries the values (emails, hashes).
        # (PostgreSQL also pings each connection it hands out: see course/__init__.py.)
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "CONTENT_DIR": os.environ.get("LANTERN_CONTENT_DIR", str(PROJECT_ROOT / "modules")),
        # Flesch–Kincaid grade limits for lessons (see tests and `content check`).
        "CONTENT_MAX_GRADE": float(os.environ.get("LANTERN_CONTENT_MAX_GRADE", "6")),
        "CONTENT_MAX_AVERAGE_GRADE": float(os.environ.get("LANTERN_CONTENT_MAX_AVERAGE_GRADE", "5")),
        "CHECK_IN_AFTER_DAYS": _int_env("LANTERN_CHECK_IN_AFTER_DAYS", 14),
        # The follow-up knowledge check is offered this many days after the one at the end of the course.
        "FOLLOW_UP_AFTER_DAYS": _int_env("LANTERN_FOLLOW_UP_AFTER_DAYS", 90),
        # Naloxone knowledge fades within about three months: the overdose refresher falls due after this.
        "REFRESHER_DAYS": _int_env("LANTERN_REFRESHER_DAYS", 90),
        "PASSWORD_RESET_MAX_AGE": _int_env("LANTERN_PASSWORD_RESET_MAX_AGE", 3600),
        "QUICK_EXIT_URL": os.environ.get("LANTERN_QUICK_EXIT_URL", "https://www.weather.gov/"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int_env("MAIL_PORT", 25),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "lantern@localhost"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "false").strip().lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_TIMEOUT": _int_env("MAIL_TIMEOUT", 10),
        # Links in mail are built on this, never on the request's Host header.
        "BASE_URL": base_url(production),
        # The clinic running this site: on the landing and about pages, certificates and mail.
        "ORG_NAME": os.environ.get("LANTERN_ORG_NAME", "").strip(),
        "ORG_CONTACT": os.environ.get("LANTERN_ORG_CONTACT", "").strip(),
        # Optional: the clinic's logo file and accent colour, served from this site (/brand/...).
        "ORG_LOGO": org_logo(),
        "ORG_ACCENT": org_accent(),
        # Rate limits must be shared by every app process in production: use Redis there.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per account (guessing one password), and per client address (trying many accounts).
        "LOGIN_RATE_LIMIT": os.environ.get("LANTERN_LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get("LANTERN_LOGIN_ADDRESS_RATE_LIMIT", "100 per minute;1000 per hour"),
        # Failed logins at one account from everywhere: higher, against guessing spread over many addresses.
        "LOGIN_ACCOUNT_CAP": os.environ.get("LANTERN_LOGIN_ACCOUNT_CAP", "100 per hour;300 per day"),
        # Sessions (course/sessions.py): idle timeout without remember-me; remember-me at most 30 days.
        "SESSION_IDLE_MINUTES": _int_env("LANTERN_SESSION_IDLE_MINUTES", 30),
        "REMEMBER_DAYS": min(_int_env("LANTERN_REMEMBER_DAYS", 30), 30),
        # Every form of the app is a few kilobytes; a larger body is refused with a 413 page.
        "MAX_CONTENT_LENGTH": _int_env("LANTERN_MAX_BODY_BYTES", 256 * 1024),
        # Number of proxies (load balancer) in front of gunicorn whose X-Forwarded-* we trust.
        "PROXY_COUNT": _int_env("LANTERN_PROXY_COUNT", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # The remember cookie is refreshed by a new login only, never silently extended.
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # a slow reader's quiz must not expire; the session bounds it
        # Flask-WTF's HTTPS check demands a Referer, which privacy settings may strip; the app checks
        # Origin (or Referer) itself instead, see course/__init__.py.
        "WTF_CSRF_SSL_STRICT": False,
    }
