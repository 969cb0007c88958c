"""Opening a workbook that someone sent: what a truncated, hostile or oversized `.xlsx` raises, and a look at its
archive before openpyxl unpacks it, shared by the candidate import and the restructuring workbook."""

import zipfile
import zlib
from io import BytesIO
from xml.etree.ElementTree import ParseError

MAX_UNPACKED = 200 * 1024 * 1024  # a workbook of 100,000 rows unpacks to a few tens of MB; more is a zip bomb
MAX_MEMBERS = 10_000


def unreadable() -> tuple[type[BaseException], ...]:
    """What openpyxl and the libraries under it raise on a file that is not a readable workbook (truncated, not a
    zip, broken XML, an entity bomb, a part missing): a reason for the user, never a traceback. A function, so
    that importing this module (and the refusal table through it) does not import openpyxl."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (zipfile.BadZipFile, zlib.error, InvalidFileException, ParseError, KeyError, ValueError, TypeError,
            IndexError, AttributeError, EOFError, OSError, RecursionError)


def archive_problem(data: bytes, max_unpacked: int = MAX_UNPACKED) -> str | None:
    """Why `data` must not be opened as a workbook (not a zip, too many parts, too much unpacked), or None."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        return f"not a zip archive ({err})"
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > max_unpacked:
        return (f"{len(members)} parts unpacking to {unpacked:,} bytes (limit {MAX_MEMBERS} parts, "
                f"{max_unpacked:,} bytes)")
    return None
