"""Checks on a file a user uploads, before the importer reads it (等保 2.0: uploads checked by content,
size limited, never stored outside the data folder).

The browser's file name and MIME type are the user's to choose, so the kind is decided by the bytes:
an XLSX workbook is a ZIP archive holding ``[Content_Types].xml`` and ``xl/workbook.xml``; a CSV is
text that decodes (UTF-8 or GB18030) and holds no NUL byte. Anything else — a renamed executable,
PDF, image, legacy ``.xls`` or a ZIP that is not a workbook — is refused with a Chinese message.
The extension must agree with the content, so ``report.csv`` holding a workbook is refused too.

Uploads are read from memory and never written to disk; :func:`path_in_data_folder` is the one way
to turn an uploaded name into a path, for any code that must keep a copy.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePath

from data_access.office_text import decode_office_text

#: the first bytes of every ZIP archive (and so of every XLSX workbook)
ZIP_MAGIC = b"PK\x03\x04"
#: the parts every Office Open XML workbook holds
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
#: a workbook's content-type declaration names this (an .xlsm names the macro-enabled variant)
WORKBOOK_CONTENT_TYPE = b"spreadsheetml"
#: more parts than any workbook this app imports holds; a ZIP bomb with thousands is refused unopened
MAX_ZIP_ENTRIES = 10_000
#: uncompressed size of all parts, compared with the upload's; a larger expansion is a ZIP bomb
MAX_EXPANSION = 200
#: bytes of a CSV decoded to tell text from binary (the importer decodes the whole file later)
TEXT_SAMPLE = 1 << 20

EXTENSIONS = {"csv": (".csv",), "xlsx": (".xlsx",)}


class UploadRefused(ValueError):
    """The upload is not a file the app accepts; the message is Chinese, for the page."""


def check_size(size: int, limit: int) -> None:
    """Refuse ``size`` bytes over ``limit`` (Streamlit's server.maxUploadSize caps what arrives at all;
    this is the app's own, lower limit)."""
    if size > limit:
        raise UploadRefused(f"文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {limit / 1024 / 1024:g} MB，未读取。"
                            "请拆分后分批导入。")
    if size == 0:
        raise UploadRefused("文件为空（0 字节），未导入。")


def content_kind(data: bytes) -> str | None:
    """``"xlsx"`` or ``"csv"`` by the bytes, or None when they are neither."""
    if data[:4] == ZIP_MAGIC:
        return "xlsx" if _is_workbook(data) else None
    sample = data[:TEXT_SAMPLE]
    if b"\x00" in sample:
        return None
    # a multi-byte character may be cut at the sample's end: drop up to 3 trailing bytes
    for cut in range(4):
        if decode_office_text(sample[: len(sample) - cut] if cut else sample) is not None:
            return "csv" if _looks_like_text(data[:4096]) else None
    return None


def _looks_like_text(head: bytes) -> bool:
    """No control characters but tab, CR, LF and form feed (GB18030 decodes nearly any bytes, so
    decoding alone does not tell a binary file from text)."""
    allowed = {9, 10, 12, 13}
    return not any(byte < 32 and byte not in allowed for byte in head)


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return False
            if sum(entry.file_size for entry in entries) > MAX_EXPANSION * max(len(data), 1):
                return False
            names = {entry.filename for entry in entries}
            if not all(part in names for part in XLSX_PARTS):
                return False
            return WORKBOOK_CONTENT_TYPE in archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError):  # RuntimeError: encrypted
        return False


def check_upload(data: bytes, file_name: str, limit: int) -> str:
    """The upload's kind (``"csv"`` or ``"xlsx"``) after checking its size, its content and that its
    extension agrees; :class:`UploadRefused` otherwise."""
    check_size(len(data), limit)
    kind = content_kind(data)
    suffix = PurePath(file_name).suffix.lower()
    if kind is None:
        if suffix == ".xls":
            raise UploadRefused("不支持旧版 Excel 97-2003 工作簿（.xls），"
                                "请用 Excel 或 WPS 另存为 .xlsx 或 CSV 后重试。")
        raise UploadRefused(f"文件“{PurePath(file_name).name}”的内容既不是 CSV 文本，也不是 Excel 工作簿（.xlsx），"
                            "已拒绝。请上传 CSV 或 .xlsx 文件。")
    if suffix not in EXTENSIONS[kind]:
        actual = "Excel 工作簿（.xlsx）" if kind == "xlsx" else "CSV 文本"
        raise UploadRefused(f"文件“{PurePath(file_name).name}”的扩展名与内容不符（内容是 {actual}），已拒绝。"
                            "请确认文件后重新上传。")
    return kind


def path_in_data_folder(data_dir: Path | str, file_name: str) -> Path:
    """Where a copy of an upload named ``file_name`` may be kept: its base name only, directly inside
    ``data_dir``. Path parts, ``..``, hidden names and a result outside the folder are refused."""
    folder = Path(data_dir).resolve()
    base = PurePath(file_name.replace("\\", "/")).name
    if not base or base in {".", ".."} or base.startswith(".") or "\x00" in base:
        raise UploadRefused(f"文件名“{file_name}”无效，未保存。")
    target = (folder / base).resolve()
    if target.parent != folder:
        raise UploadRefused(f"文件名“{file_name}”指向数据目录之外，未保存。")
    return target
