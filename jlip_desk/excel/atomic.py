"""Save a file beside its target, flush it to disk, then swap it in: never half a file."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from jlip_desk.errors import InputError

_TRIES = 100


def save_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Have ``write`` fill a new file next to ``target``, then rename it to ``target``.

    The new file is made in the same folder (a rename within one file system is
    atomic), with the permissions the umask gives any new file, and is on disk before
    it replaces the old one: a crash or a full disk leaves the old file as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _new_file(target)
    except OSError as exc:
        raise InputError(f"无法写入文件夹:{exc.strerror}", where=str(target.parent)) from None
    try:
        write(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InputError(
            f"无法保存工作簿:{exc.strerror}", where=str(target), allowed=_hint(exc)
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _hint(exc: OSError) -> str:
    """What to do, by what went wrong: a full disk is not a file held open elsewhere."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "磁盘已满:腾出磁盘空间,或保存到其他磁盘或 U 盘后重试(原有文件未改动)"
    if exc.errno == errno.EROFS:
        return "该磁盘是只读的:请保存到其他文件夹"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return "关闭正在打开该文件的程序(如 Excel、WPS)后重试,或保存到有写入权限的文件夹"
    return "检查磁盘和文件夹后重试,或保存到其他文件夹(原有文件未改动)"


def _new_file(target: Path) -> Path:
    """An empty, hidden file beside ``target`` that no one else made.

    ``tempfile.mkstemp`` makes its files readable by their owner only; a workbook is
    meant to be passed on, so the file gets the usual mode (0666 less the umask).
    """
    for _ in range(_TRIES):
        tmp = target.with_name(f".~{secrets.token_hex(8)}{target.suffix}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, "没有可用的临时文件名", str(target.parent))
