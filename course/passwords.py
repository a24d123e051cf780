"""Passwords: how they are hashed (argon2id at OWASP's parameters) and which ones are accepted.

OWASP's Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1 at least. Hashes made
before (Werkzeug's scrypt or pbkdf2) still verify, and are rehashed at the next login.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128  # long passphrases are welcome; the cap only keeps hashing cheap to refuse
# zxcvbn's scale: 3 is "safely unguessable" against an online attacker, OWASP's usual bar.
MIN_STRENGTH = 3

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Return whether the password matches the stored hash (argon2id, or an older Werkzeug hash)."""
    if stored_hash.startswith("$argon2"):
        try:
            return _hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored_hash, password)
    except ValueError:  # an unknown or damaged hash format is no match
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Return whether a matching hash should be replaced by one at today's parameters."""
    if not stored_hash.startswith("$argon2"):
        return True
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    # Checking a password for an address with no account still costs a hash,
    # so "no such email" and "wrong password" take the same time.
    return hash_password("no account has this password")


def password_problem(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Return why a new password is refused (in plain words), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. Yours has {len(password)}."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters. Yours has {len(password)}."
    result = zxcvbn(password, user_inputs=[word for word in personal if word])
    if result["score"] >= MIN_STRENGTH:
        return None
    warning = result["feedback"].get("warning") or "It would be easy for someone else to guess."
    return (
        f"Please choose a password that is harder to guess. {warning.rstrip('.')}. "
        "Three or four ordinary words that you will remember, with spaces, work well."
    )
