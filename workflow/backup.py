"""`ketnap backup` and `ketnap restore` (issue 11, item 8): a copy of the whole database, and the proof that a
restored copy is the database that was copied.

A backup is two files: FILE (the SQLite copy, or PostgreSQL's `pg_dump -Fc` archive) and FILE.json, its manifest:
the checkpoint digest of the log in the copy (what `ketnap audit checkpoint` would print at that moment, computed
without recording one), row counts, the schema revision, the application's version, when, and the SHA-256 of
FILE. Both are written 0600. A restore goes only into a database with no events; it checks FILE against the
manifest first, then runs `audit verify` on the restored copy and compares its checkpoint digest with the
manifest's.
"""

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from storage import backups, migrate
from storage.audit_reads import exported_snapshot, snapshot
from workflow.audit.checkpoint import digest_now
from workflow.audit.findings import Report
from workflow.audit.verify import Scope, Verifier
from workflow.errors import BackupRefused as BackupRefused  # re-exported: its home is workflow/errors.py (no tables)
from workflow.service import Ketnap

FORMAT = "ketnap-backup/1"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Manifest:
    format: str
    dialect: str
    created_at: datetime
    app_version: str
    schema_revision: str | None
    digest: str
    streams: int
    counts: dict[str, int]
    file_sha256: str
    file_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": self.created_at.isoformat()}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "Manifest":
        """Raises: KeyError, ValueError, TypeError (the caller turns them into a refusal)."""
        fields = {k: doc[k] for k in cls.__dataclass_fields__}
        fields["created_at"] = datetime.fromisoformat(str(doc["created_at"]))
        return cls(**fields)


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".json")


def app_version() -> str:
    try:
        return metadata.version("ketnap")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(file: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with file.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _summary(conn: Connection) -> tuple[str, int, dict[str, int]]:
    digest, streams, _ = digest_now(conn)
    return digest, streams, backups.counts(conn)


def backup(app: Ketnap, file: Path, progress: Progress, pages_per_step: int = backups.PAGES_PER_STEP) -> Manifest:
    """Copy the database into `file` and write its manifest beside it (on SQLite, `pages_per_step` pages between
    two reports of `progress`).

    Raises: BackupRefused (the file or its manifest exists, an in-memory database), CopyFailed.
    """
    for path in (file, manifest_path(file)):
        if path.exists():
            raise BackupRefused(f"{path} exists: a backup never overwrites a file")
    dialect = app.engine.dialect.name
    if dialect == "sqlite":
        source = backups.sqlite_file(app.engine)
        if source is None:
            raise BackupRefused("an in-memory database has nothing to back up")
        backups.copy_sqlite(source, file, progress, pages_per_step)
        with backups.read_copy(file) as conn:
            digest, streams, counts = _summary(conn)
    else:
        with snapshot(app.engine) as conn:  # the manifest and pg_dump read the same snapshot
            digest, streams, counts = _summary(conn)
            snapshot_id = exported_snapshot(conn)
            assert snapshot_id is not None
            backups.dump_postgres(app.engine.url, snapshot_id, file)
    sha, size = _sha256(file)
    made = Manifest(FORMAT, dialect, app.clock.now(), app_version(), migrate.current_revision(app.engine), digest,
                    streams, counts, sha, size)
    backups.create_private(manifest_path(file))
    manifest_path(file).write_text(json.dumps(made.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return made


def read_manifest(file: Path) -> Manifest:
    """The manifest of `file`, once `file` is the one it describes.

    Raises: BackupRefused.
    """
    path = manifest_path(file)
    if not file.is_file():
        raise BackupRefused(f"{file} is not a file")
    try:
        found = Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise BackupRefused(f"{path} is missing: a backup is restored only with its manifest") from None
    except (ValueError, KeyError, TypeError) as err:
        raise BackupRefused(f"{path} is not a ketnap backup manifest ({err})") from None
    if found.format != FORMAT:
        raise BackupRefused(f"{path} is a {found.format!r} manifest; this ketnap reads {FORMAT!r}")
    if _sha256(file) != (found.file_sha256, found.file_bytes):
        raise BackupRefused(f"{file} is not the file its manifest describes (its SHA-256 differs): it was "
                            "changed, cut short, or belongs to another backup")
    return found


def restore(app: Ketnap, file: Path, progress: Progress) -> Manifest:
    """Restore `file` into `app`'s database, which must hold no events.

    Raises: BackupRefused, CopyFailed.
    """
    found = read_manifest(file)
    dialect = app.engine.dialect.name
    if found.dialect != dialect:
        raise BackupRefused(f"{file} is a {found.dialect} backup; the target database is {dialect}")
    if found.schema_revision != migrate.head_revision():
        raise BackupRefused(f"{file} has schema {found.schema_revision}; this ketnap has {migrate.head_revision()}:"
                            " restore it with the ketnap version that made it, then upgrade with `ketnap init`")
    events = backups.events_recorded(app.engine)
    if events:
        raise BackupRefused(f"the target database holds {events} event(s): a backup is restored only into an "
                            "empty database (a new file, or a new PostgreSQL database)")
    app.engine.dispose()  # no pooled connection may see the file change under it
    if dialect == "sqlite":
        target = backups.sqlite_file(app.engine)
        if target is None:
            raise BackupRefused("an in-memory database cannot be a restore's target")
        backups.restore_sqlite(file, target, progress)
    else:
        backups.restore_postgres(app.engine.url, file)
    app.engine.dispose()
    return found


@dataclass(frozen=True)
class Check:
    """What a restored copy proved: the verify report, and the digest of its log against the manifest's."""

    report: Report
    digest: str
    expected: str

    @property
    def ok(self) -> bool:
        return self.report.ok and self.digest == self.expected

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "digest": self.digest, "manifest_digest": self.expected,
                "digest_matches": self.digest == self.expected, "verify": self.report.as_dict()}


Bar = Callable[[int], AbstractContextManager[Callable[[int], None]]]  # a progress bar over a total


def check_restored(app: Ketnap, manifest: Manifest, bar: Bar, workers: int | None = None) -> Check:
    """`audit verify` of the whole restored database, and its checkpoint digest, from one snapshot."""
    with snapshot(app.engine) as conn:
        verifier = Verifier(conn, app.rulebook, app.calendar, Scope(None, None), None)
        with bar(verifier.total()) as advance:
            report = verifier.run(advance, workers)
        digest, _, _ = digest_now(conn)
    return Check(report, digest, manifest.digest)
