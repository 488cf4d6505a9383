"""The key of the seals' HMAC: a file outside the database, readable only by the service.

Whoever can write to the database but cannot read this file cannot forge a seal. In development the
file is created on first use in MATERIEL_DATA_DIR (mode 0600); production names another place with
MATERIEL_SEAL_KEY_FILE, owned by the service user (docs/security.md).
"""

import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings


class SealKeyError(Exception):
    pass


def key_path() -> Path:
    return Path(settings.MATERIEL_SEAL_KEY_FILE)


def load_key(*, create: bool = False) -> bytes:
    """The key; with `create`, a new random one if the file does not exist (sealing, never verify)."""
    path = key_path()
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
    try:
        text = path.read_text().strip()
    except OSError as e:
        raise SealKeyError(f"Không đọc được khóa niêm phong {path}: {e.strerror}.") from e
    if len(text) < 32:
        raise SealKeyError(f"Khóa niêm phong {path} quá ngắn (cần ít nhất 32 ký tự).")
    return text.encode()


def key_id(key: bytes) -> str:
    """A short public name of the key, stored with each seal: tells which key made it, reveals nothing."""
    return hashlib.sha256(b"materiel-seal-key:" + key).hexdigest()[:16]
