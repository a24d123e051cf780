"""Random codes people read off a screen or paper and type in: invite codes, certificate codes."""

from __future__ import annotations

import secrets

# No I, O, 0 or 1: they are easy to confuse when read aloud or typed on a phone.
READABLE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_code(length: int = 12) -> str:
    """Return a random code; 12 characters give 2 ** 60 codes, too many to guess."""
    return "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))


def in_fours(code: str) -> str:
    """Return a code in groups of four, easier to read out: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
