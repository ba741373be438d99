"""The files the bot keeps: a content-addressed, encrypted store under one root folder.

A file is stored once under the SHA-256 of its bytes (``ab/abcdef….enc``), so the same page
sent twice takes the space of one and its name says what it must contain once decrypted.
Every file is sealed with the identity-number key (bot/core/crypto.py): any uploaded document (a
board list, an ID copy) may carry identity numbers, so none is kept in clear. Folders are
0700 and files 0600. The database row that refers to a file (bot/ruos/models.py
`StoredFile`) keeps the type, size, uploader and time.

Files stored before encryption have no suffix (``ab/abcdef…``); rows pointing to them still
read, and `voces-bot files seal` (bot/console/file_sealing.py) encrypts them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.core.crypto import IdNumberCipher
from bot.core.private import private_folder

ENCRYPTED_SUFFIX = ".enc"


@dataclass(frozen=True)
class SavedFile:
    sha256: str  # of the plaintext
    size: int  # of the plaintext
    # Relative to the store's root, with "/" separators, so the root can move.
    path: str


class FileStore:
    def __init__(self, root: Path, *, cipher: IdNumberCipher) -> None:
        self.root = root
        self._cipher = cipher

    def save(self, content: bytes) -> SavedFile:
        """Store `content` unless identical bytes are already stored; returns where it is."""
        digest = hashlib.sha256(content).hexdigest()
        relative = f"{digest[:2]}/{digest}{ENCRYPTED_SUFFIX}"
        target = self._locate(relative)
        if not target.exists():
            private_folder(target.parent)
            # Write beside the target and rename: a crash never leaves half a file under a
            # name that claims to hold the whole content. mkstemp creates it 0600.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(self._cipher.encrypt_bytes(content))
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return SavedFile(sha256=digest, size=len(content), path=relative)

    def read(self, path: str) -> bytes:
        """The original bytes of a stored file (`cryptography.fernet.InvalidToken` if the key
        that sealed it is not the one in use)."""
        stored = self._locate(path).read_bytes()
        if path.endswith(ENCRYPTED_SUFFIX):
            return self._cipher.decrypt_bytes(stored)
        return stored  # kept in clear before the store encrypted

    def delete(self, path: str) -> bool:
        """Remove one stored file, encrypted or not; False if it was not there.

        The store is content-addressed: identical bytes sent for two items (or by two
        organizations) are one file, so the caller checks that no other row still points to
        `path` before deleting it.
        """
        try:
            self._locate(path).unlink()
        except FileNotFoundError:
            return False
        return True

    def _locate(self, path: str) -> Path:
        # Paths come from database rows; one that climbs out of the root is not ours to touch.
        target = self.root / path
        if ".." in Path(path).parts or Path(path).is_absolute():
            raise ValueError(f"not a path inside the file store: {path!r}")
        return target
