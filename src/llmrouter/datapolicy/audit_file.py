"""The JSONL audit file: one line per request, whole lines even with many processes writing.

Each line goes out in one `os.write` to a file descriptor opened with `O_APPEND`: the kernel
appends it whole at the end of the file, so lines of several processes (gateway workers,
routers) never interleave. This holds on local filesystems; NFS does not honour `O_APPEND`
atomically, so keep the audit file on local disk.

logrotate works in both of its modes. `create` (the file is renamed and a new one made): before
each line the path's inode is compared with the open file's, and on a change (or when the path
is gone) the path is reopened, so lines written before the change sit in the rotated file and
the rest in the new one, none lost. `copytruncate`: `O_APPEND` writes go to the new end of the
truncated file, so nothing needs reopening. A write that fails (disk full, directory gone) is
logged once per outage and dropped: the audit never fails a request.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from llmrouter.datapolicy.audit import AuditRecord

__all__ = ["JsonlAuditFile"]

logger = logging.getLogger("llmrouter")

_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


class JsonlAuditFile:
    """An audit sink appending one JSON line per record to `path`."""

    def __init__(self, path: str | os.PathLike[str], *, mode: int = 0o640) -> None:
        """`mode` applies when the file is created (then the umask)."""
        self.path = Path(path)
        self._mode = mode
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._dropped = 0

    def __repr__(self) -> str:
        return f"JsonlAuditFile({str(self.path)!r})"

    def _open(self) -> int:
        fd = os.open(self.path, _FLAGS, self._mode)
        stat = os.fstat(fd)
        old, self._fd = self._fd, fd
        self._identity = (stat.st_dev, stat.st_ino)
        if old is not None:
            os.close(old)
        return fd

    def _current_fd(self) -> int:
        """The open file, reopened when the path now names another file (rotated) or none."""
        if self._fd is None:
            return self._open()
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return self._open()
        if (stat.st_dev, stat.st_ino) != self._identity:
            return self._open()
        return self._fd

    def write_line(self, line: bytes) -> bool:
        """Append `line` (no newline of its own) and a newline; False when it was dropped."""
        data = line + b"\n"
        try:
            fd = self._current_fd()
            written = os.write(fd, data)
            while written < len(data):  # only on a signal or a full disk: finish the line
                written += os.write(fd, data[written:])
        except OSError as exc:
            if not self._dropped:
                logger.error(
                    "llmrouter: audit: cannot write %s (%s); records are dropped until it works",
                    self.path,
                    exc.strerror or type(exc).__name__,
                )
            self._dropped += 1
            return False
        if self._dropped:
            logger.warning(
                "llmrouter: audit: writing %s again; %d records were dropped",
                self.path,
                self._dropped,
            )
            self._dropped = 0
        return True

    def write(self, record: AuditRecord) -> bool:
        """Append `record` as one line; False when it was dropped."""
        return self.write_line(record.to_json())

    async def emit(self, record: AuditRecord) -> None:
        """The sink interface: a local append takes microseconds, so it runs inline."""
        self.write(record)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    async def aclose(self) -> None:
        self.close()
