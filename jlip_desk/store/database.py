"""Open the SQLite store safely: pragmas, backup before migrating, refuse newer stores."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from jlip_desk import __version__, paths
from jlip_desk.errors import StoreError

if TYPE_CHECKING:
    # sqlite-utils pulls in numpy, click and pluggy (~0.35 s): imported only when a
    # migration or a write needs it, so the window shows before it is paid for.
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

log = logging.getLogger(__name__)

MIGRATION_SET = "jlip_desk"
_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Busy timeout: a second reader (the GUI) may hold the file for a moment.
BUSY_TIMEOUT_MS = 5000


class StoreInfo(NamedTuple):
    path: str
    applied: tuple[str, ...]
    backup: str | None  # the backup written before this open migrated, if any


def migration_files(folder: Path | None = None) -> list[Path]:
    """The numbered ``NNNN_name.sql`` files, in order."""
    folder = folder or paths.migrations_dir()
    files = sorted(p for p in folder.glob("*.sql") if _MIGRATION_FILE.match(p.name))
    if not files:
        raise StoreError("找不到数据库迁移文件", where=str(folder))
    return files


def _statements(sql: str) -> Iterator[str]:
    """Split a script into statements (trigger bodies included) without executescript.

    ``executescript`` would COMMIT the migration's transaction first; executing
    statement by statement keeps each migration atomic.
    """
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement.strip(";").strip() and not _only_comments(statement):
                yield statement
    if buffer.strip() and not _only_comments(buffer):
        raise StoreError("迁移脚本末尾有不完整的语句", where=buffer.strip()[:60])


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def build_migrations(folder: Path | None = None) -> Migrations:
    """The migration set, for sqlite-utils' own bookkeeping (its table, ``pending``)."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for file in migration_files(folder):
        sql = file.read_text(encoding="utf-8")

        def apply(db: Database, sql: str = sql) -> None:
            for statement in _statements(sql):
                db.conn.execute(statement)

        migrations(name=file.stem)(apply)
    return migrations


def _foreign_key_problems(conn: sqlite3.Connection) -> str | None:
    """What ``PRAGMA foreign_key_check`` finds, in a line, or None when all is sound."""
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return None
    tables = sorted({f"{row[0]} -> {row[2]}" for row in rows})
    return f"{len(rows)} 行外键无对应记录({', '.join(tables[:5])})"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """One connection to the store. Writes go through :meth:`atomic`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self._db: Database | None = None
        self.path = path
        self.info = StoreInfo(str(path) if path else ":memory:", (), None)

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the store at ``path`` (default: the data folder's)."""
        path = path or paths.store_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据文件夹:{exc.strerror}", where=str(path.parent)) from None
        if migrate:
            _vet_file(path)
        try:
            conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=5.0
            )
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开数据库:{exc}", where=str(path)) from None
        store = cls(conn, path)
        try:
            store._configure(wal=True)
            if migrate:
                store._vet_contents()
                store._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "readonly" in str(exc):
                raise _read_only(path) from None
            if disk_nearly_full(path.parent) or "full" in str(exc):
                # A full disk makes SQLite fail to grow its journal with "disk I/O
                # error": calling the store damaged would send the user to a restore.
                raise disk_full(path) from None
            raise StoreError(
                f"数据库文件已损坏或不是本程序的数据库:{exc}",
                where=str(path),
                allowed=restore_hint(path),
            ) from None
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A fresh in-memory store, fully migrated (tests and dry runs)."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        store = cls(conn, None)
        store._configure(wal=False)
        store._migrate()
        return store

    def _vet_contents(self) -> None:
        """Damaged pages or another program's database: refuse before using it."""
        problems = [row[0] for row in self.conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StoreError(
                f"数据库文件已损坏(SQLite 检查:{'; '.join(problems[:3])}),"
                "为免损坏扩大,本程序不会使用它,文件未作任何改动",
                where=str(self.path),
                allowed=restore_hint(self.path),
            )
        tables = {
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables and not self._applied_names():
            raise StoreError(
                "这不是 JLIP Desk 的数据库(其中是其他程序的数据表),本程序不会改动它",
                where=str(self.path),
                allowed="用 --data-dir 指定 JLIP Desk 自己的数据文件夹,或移走此文件",
            )

    def _configure(self, *, wal: bool) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if wal:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode WAL refused, got %s", mode)
        # FULL: a power cut after COMMIT returned never loses the transaction.
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")

    @property
    def db(self) -> Database:
        """The sqlite-utils view of this connection (its atomic() and Migrations)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def _applied_names(self) -> list[str]:
        if not self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone():
            return []
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                (MIGRATION_SET,),
            )
        ]

    def _migrate(self) -> None:
        known = [file.stem for file in migration_files()]
        applied = self._applied_names()
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise StoreError(
                "此数据库由更新版本的 JLIP Desk 写入,当前版本无法安全使用,数据库未作任何改动",
                where=str(self.path or ":memory:"),
                allowed=f"请安装更新版本的 JLIP Desk(数据库包含迁移 {unknown[-1]})",
            )
        pending = [name for name in known if name not in applied]
        backup = None
        if pending and applied and self.path is not None:
            backup = str(self.backup(reason="before-migration"))
        if pending:
            log.info("applying migrations %s", pending)
            try:
                self._apply_pending()
            except sqlite3.Error as exc:
                # Each migration is its own transaction: the failed one left nothing.
                log.exception("migration failed")
                raise StoreError(
                    f"数据库升级失败:{exc}。失败的升级步骤已撤销,数据未受影响",
                    where=str(self.path or ":memory:"),
                    allowed=f"请联系技术支持;升级前的备份:{backup}" if backup else None,
                ) from exc
            with self.atomic():
                self.set_setting("schema_written_by", __version__)
        self.info = StoreInfo(self.info.path, tuple(pending), backup)

    def _apply_pending(self) -> None:
        """Apply each pending migration in its own IMMEDIATE transaction, foreign keys off.

        SQLite's way to change a table's constraints is to rebuild it (create the new
        table, copy, drop the old one, rename, re-create its indexes and triggers):
        with foreign keys on, dropping a table others refer to fails, so they are off
        around the migrations and
        ``foreign_key_check`` must find nothing before each one commits. The list of
        applied migrations is read again under the write lock, so two programs opening
        an old store at once apply each migration once.
        """
        migrations = build_migrations()
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction
        # As Django's schema editor does: renaming the rebuilt table must not rewrite
        # (or fail on) the triggers and views of other tables that name the old one.
        conn.execute("PRAGMA legacy_alter_table = ON")
        try:
            migrations.ensure_migrations_table(self.db)
            for migration in migrations.pending(self.db):
                with self._transaction():
                    if migration.name in self._applied_names():
                        continue  # another program applied it while this one waited
                    migration.fn(self.db)
                    problems = _foreign_key_problems(conn)
                    if problems:
                        raise sqlite3.IntegrityError(
                            f"升级步骤 {migration.name} 破坏了数据之间的关联:{problems}"
                        )
                    conn.execute(
                        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                        "VALUES (?, ?, ?)",
                        (MIGRATION_SET, migration.name, now_iso()),
                    )
        finally:
            conn.execute("PRAGMA legacy_alter_table = OFF")
            conn.execute("PRAGMA foreign_keys = ON")

    # -- transactions and housekeeping ---------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """One transaction (nested calls become savepoints)."""
        try:
            with self._transaction():
                yield self
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                raise StoreError("数据库正被其他程序占用,请稍后重试", where=str(self.path)) from exc
            if "full" in message or (
                "disk" in message and self.path is not None and disk_nearly_full(self.path.parent)
            ):
                raise disk_full(self.path or Path(":memory:")) from exc
            if "disk" in message:
                raise StoreError(
                    "磁盘读写出错,修改未保存", where=str(self.path), allowed=restore_hint(self.path)
                ) from exc
            raise

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE, or a savepoint inside one already open.

        IMMEDIATE takes the write lock at the start, so a second writer (another
        window, a script) waits its turn under the busy timeout. A deferred
        transaction that reads first would instead fail at its first write with
        SQLITE_BUSY, the snapshot it read being stale, and never wait.
        """
        conn = self.conn
        if conn.in_transaction:
            name = f"jlip_{secrets.token_hex(8)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if conn.in_transaction:  # a RAISE(ROLLBACK) may have ended it already
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # a failed COMMIT (a full disk) leaves it open
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()
        self.closed = True

    closed = False  # set by close(): a view outliving its store must not read it

    def backups_folder(self) -> Path:
        return paths.backups_dir() if self.path is None else self.path.parent / "backups"

    def backup(self, *, reason: str) -> Path:
        """A verified online backup into ``backups/``, older ones pruned (see backups.py)."""
        from jlip_desk.store import backups

        return backups.take(self.conn, self.backups_folder(), reason)

    def holds_data(self) -> bool:
        """Anything a user did: one recorded change is enough to be worth a backup."""
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM changes)").fetchone()[0])

    # -- settings and changes -----------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def new_change(
        self,
        action: str,
        *,
        source_file: str | None = None,
        source_sha256: str | None = None,
        note: str | None = None,
    ) -> int:
        """Record one action that changes data; every write carries its id."""
        cursor = self.conn.execute(
            "INSERT INTO changes (at, action, actor, source_file, source_sha256, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (now_iso(), action, _actor(), source_file, source_sha256, note),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # -- integrity ----------------------------------------------------------

    def content_hash(self) -> str:
        """SHA-256 over every row of every table, in a stable order.

        Two stores with the same hash hold the same data; a refused import must
        leave it unchanged.
        """
        import hashlib

        digest = hashlib.sha256()
        tables = [
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            digest.update(f"\x00table:{table}\x00".encode())
            for row in self.conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()


def restore_hint(path: Path | None) -> str:
    """Where to go from a store that cannot be used: the newest backup, by name."""
    from jlip_desk.store.backups import list_backups

    if path is None:
        return "请联系技术支持"
    found = list_backups(path.parent / "backups")
    if not found:
        return f"备份文件夹 {path.parent / 'backups'} 中没有备份;请联系技术支持"
    newest = found[0]
    return (
        f'从备份恢复:jlip-desk restore "{newest.path}"(最新备份,'
        f"{newest.taken:%Y-%m-%d %H:%M});或在程序的“文件 > 从备份恢复”中选择"
    )


# Below this much free space SQLite cannot be trusted to grow its journal.
MIN_FREE_BYTES = 1 << 20


def disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < MIN_FREE_BYTES
    except OSError:
        return False


def free_space_text(folder: Path) -> str:
    try:
        return f"剩余 {shutil.disk_usage(folder).free // 1024} KB"
    except OSError:
        return "剩余空间未知"


FREE_SOME_SPACE = "删除或移走不需要的文件,腾出至少 1 MB 磁盘空间后重试"


def disk_full(path: Path) -> StoreError:
    return StoreError(
        f"数据文件夹所在的磁盘已满({free_space_text(path.parent)}),无法写入数据库;"
        "数据库未作改动,也没有损坏",
        where=str(path),
        allowed=FREE_SOME_SPACE,
    )


def _vet_file(path: Path) -> None:
    """The file itself, before SQLite touches it: emptied, foreign or read-only."""
    if not path.exists():
        if not os.access(path.parent, os.W_OK):
            raise _read_only(path.parent)
        return
    if path.is_dir():
        raise StoreError("数据库路径是一个文件夹,不是文件", where=str(path))
    size = path.stat().st_size
    if size == 0:
        raise StoreError(
            "数据库文件是空的(0 字节),可能在断电或磁盘故障时被清空;"
            "本程序不会用一个新的空数据库代替它,文件未作任何改动",
            where=str(path),
            allowed=restore_hint(path),
        )
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise StoreError(
            "数据库文件已损坏或不是 SQLite 数据库(文件头不对),本程序不会改动它",
            where=str(path),
            allowed=restore_hint(path),
        )
    if not os.access(path, os.W_OK):
        raise _read_only(path)
    if not os.access(path.parent, os.W_OK):
        raise _read_only(path.parent)


def _read_only(where: Path) -> StoreError:
    what = "数据文件夹" if where.is_dir() else "数据库文件"
    return StoreError(
        f"{what}是只读的,本程序无法保存任何修改",
        where=str(where),
        allowed="取消该文件或文件夹的只读属性,或用 --data-dir 指定一个可写的文件夹",
    )


def _actor() -> str:
    import getpass  # imported on first write, not at start-up

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment: still record the change
        return ""
