"""The files the bot keeps: a content-addressed store under one root folder.

A file is stored once under the SHA-256 of its bytes (``ab/abcdef…``), so the same page sent
twice takes the space of one and its name says what it must contain. The database row that
refers to it (bot/models/ruos.py `StoredFile`) keeps the type, size, uploader and time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SavedFile:
    sha256: str
    size: int
    # Relative to the store's root, with "/" separators, so the root can move.
    path: str


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, content: bytes) -> SavedFile:
        """Store `content` unless identical bytes are already stored; returns where it is."""
        digest = hashlib.sha256(content).hexdigest()
        relative = f"{digest[:2]}/{digest}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write beside the target and rename: a crash never leaves half a file under a
            # name that claims to hold the whole content.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(content)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return SavedFile(sha256=digest, size=len(content), path=relative)

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()
