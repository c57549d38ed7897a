"""Evidence files: the type read from the content, stored under the instance folder with generated names."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from tracker.core.text import file_name

#: What may be attached: a content type per family, the extensions a name of that family may carry
KINDS = {
    "pdf": ("application/pdf", {".pdf"}),
    "png": ("image/png", {".png"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "doc": ("application/msword", {".doc"}),
    "xls": ("application/vnd.ms-excel", {".xls"}),
}
ACCEPTED_NAMES = "PDF, Word (.doc, .docx), Excel (.xls, .xlsx), JPEG, PNG"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


log = logging.getLogger(__name__)


class FileRefused(ValueError):
    """A file that fails the checks, with the message the user reads."""


@dataclass
class CheckedFile:
    data: bytes
    name: str
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(current_app.config["ITEM_FILE_MAX_BYTES"])


def sniff(data: bytes, name: str) -> str | None:
    """The family of ``data`` from its first bytes (and, for Office files, the parts the archive holds)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_OLE2):
        # The legacy Office container holds Word and Excel alike; the name tells which it claims to be
        suffix = Path(name).suffix.lower()
        return {".doc": "doc", ".xls": "xls"}.get(suffix)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_file(data: bytes, name: str) -> CheckedFile:
    """Refuse an empty, oversized or unaccepted file; the type comes from the content, the name must agree."""
    clean_name = file_name(name)  # never a path; the column's length, its extension kept
    limit = max_bytes()
    if not data:
        raise FileRefused("Tệp rỗng: vui lòng chọn lại tệp.")
    if len(data) > limit:
        raise FileRefused(f"Tệp “{clean_name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
    family = sniff(data, clean_name)
    if family is None:
        raise FileRefused(f"Tệp “{clean_name}” không phải là tệp được chấp nhận ({ACCEPTED_NAMES}).")
    content_type, extensions = KINDS[family]
    suffix = Path(clean_name).suffix.lower()
    if suffix not in extensions:
        raise FileRefused(
            f"Tên tệp “{clean_name}” không khớp với nội dung (nội dung là {family.upper()}): vui lòng kiểm tra lại tệp."
        )
    return CheckedFile(data=data, name=clean_name, content_type=content_type, extension=suffix)


def storage_dir() -> Path:
    path = Path(current_app.config.get("ITEM_FILE_DIR") or Path(current_app.instance_path) / "files")
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile) -> tuple[str, str]:
    """Write the file under a generated name; return (stored name, SHA-256)."""
    stored_name = secrets.token_hex(16) + checked.extension
    target = storage_dir() / stored_name
    temporary = target.with_suffix(target.suffix + ".part")
    try:
        temporary.write_bytes(checked.data)
        temporary.replace(target)
    except OSError as error:
        # the disk is full (or the folder unwritable): nothing half stored, and a message instead of a 500
        temporary.unlink(missing_ok=True)
        log.error("file %s not stored: %s", checked.name, error)
        raise FileRefused(
            f"Không lưu được tệp “{checked.name}”: máy chủ không ghi được tệp (có thể đã hết dung lượng). "
            "Vui lòng báo người quản trị và thử lại sau."
        ) from error
    return stored_name, hashlib.sha256(checked.data).hexdigest()


def stored_path(stored_name: str) -> Path:
    # Generated names only: never a path from the request
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return storage_dir() / stored_name


def remove(stored_name: str) -> None:
    stored_path(stored_name).unlink(missing_ok=True)


def remove_all(stored_names: list[str]) -> None:
    for name in stored_names:
        remove(name)


def send(found):
    """The download of a stored file (always as an attachment, under its own name); None when it is gone."""
    from flask import send_file

    if found is None:
        return None
    try:
        path = stored_path(found.stored_name)
    except FileNotFoundError:
        return None
    if not path.exists():
        return None
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name)
