"""Password hashes: argon2id for new ones (argon2-cffi), bcrypt accepted (the seed's users have
bcrypt hashes) and replaced by argon2id at the next successful sign-in."""

from __future__ import annotations

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 1024
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
#: Spent on unknown logins so their answer takes as long as a wrong password's.
_DUMMY = _HASHER.hash("hakobu-dummy-password")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be set (Japanese / English), or None."""
    if len(password) < MIN_LENGTH:
        return f"パスワードは{MIN_LENGTH}文字以上にしてください / must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"パスワードが長すぎます / must be at most {MAX_LENGTH} characters"
    return None


def verify_password(stored: str, password: str) -> tuple[bool, bool]:
    """(whether ``password`` matches ``stored``, whether the hash should be replaced by a new argon2id
    one). An empty or malformed hash never matches."""
    if stored.startswith("$argon2"):
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, False
        return True, _HASHER.check_needs_rehash(stored)
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            ok = bcrypt.checkpw(password.encode()[:72], stored.encode())
        except ValueError:  # not a real bcrypt hash (the seed's placeholders)
            return False, False
        return ok, ok
    waste_time(password)
    return False, False


def waste_time(password: str) -> None:
    """Verify against a dummy hash (for unknown logins: no timing difference)."""
    try:
        _HASHER.verify(_DUMMY, password)
    except VerificationError:
        pass
