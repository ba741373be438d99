"""Identity numbers, and the documents that may carry them, are encrypted at rest (Fernet:
AES with an authentication tag).

The key comes from the ID_ENCRYPTION_KEY setting. When it is unset the bot creates one in a
key file beside the data (readable only by its owner) so that a first run just works; the
start-up log and the README say to move it to the environment, away from the database, for a
real deployment: whoever copies the data folder would otherwise have the key with it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.core.private import private_folder
from bot.core.validation import mask_id_number

log = logging.getLogger(__name__)


class IdNumberCipher:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()

    def encrypt_bytes(self, content: bytes) -> bytes:
        """A stored document's bytes, sealed with the same key as the identity numbers."""
        return self._fernet.encrypt(content)

    def decrypt_bytes(self, token: bytes) -> bytes:
        return self._fernet.decrypt(token)

    def masked(self, token: str) -> str:
        """What people see: ****5678. An unreadable token (a rotated key) shows only stars."""
        try:
            return mask_id_number(self.decrypt(token))
        except InvalidToken:
            return "****"


def key_from_file(path: Path) -> str:
    """Read the key file, creating it (mode 600, in a folder of mode 700) on first use."""
    if path.exists():
        return path.read_text().strip()
    private_folder(path.parent)
    key = Fernet.generate_key().decode("ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    log.warning("created an identity-number key at %s: keep a copy, or set ID_ENCRYPTION_KEY", path)
    return key
