"""The class secret: the key that derives each candidate's seed.

Without the secret, a candidate cannot rebuild another candidate's dataset
or the grader's copy of their own. The instructor keeps the file; a lost
secret means the datasets cannot be rebuilt for grading.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kit.errors import KitError

SECRET_BYTES = 32


class SecretError(KitError):
    """The secret file is missing, unreadable or malformed."""


def read_secret(path: Path) -> bytes:
    try:
        text = Path(path).read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except OSError as error:
        raise SecretError(
            f"cannot read the secret file {path}: {error.strerror}; pass the file "
            "written when the release was first built"
        ) from error
    except (UnicodeDecodeError, ValueError) as error:
        raise SecretError(
            f"the secret file {path} does not hold a hex secret: pass the file "
            "written by `python -m kit release`"
        ) from error
    if len(secret) < 16:
        raise SecretError(
            f"the secret in {path} is {len(secret)} bytes; it needs at least 16"
        )
    return secret


def create_secret(path: Path) -> bytes:
    """Write a new random secret to ``path``, readable by its owner only."""
    path = Path(path)
    if path.exists():
        raise SecretError(
            f"the secret file {path} exists already: pass it with --secret-file "
            "to reuse it, or remove it to start a new class"
        )
    secret = secrets.token_bytes(SECRET_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
    return secret


def candidate_seed(secret: bytes, candidate_id: str) -> int:
    """Return the dataset seed of a candidate: 31 bits of an HMAC of the id."""
    digest = hmac.new(secret, candidate_id.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def answer_salt(secret: bytes, candidate_id: str) -> str:
    """Return the salt of a candidate's answer digests, distinct from the seed."""
    message = f"answers:{candidate_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
