"""data_access.uploads: an upload's kind is decided by its bytes, its size is limited, and an uploaded
name never leads outside the data folder."""

from __future__ import annotations

import io
import zipfile

import pytest

from data_access import importer
from data_access.uploads import UploadRefused, check_upload, content_kind, path_in_data_folder

LIMIT = 1024 * 1024


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_template_workbook_is_an_xlsx_by_content():
    workbook = importer.template_xlsx("requests")
    assert content_kind(workbook) == "xlsx"
    assert check_upload(workbook, "诉求.xlsx", LIMIT) == "xlsx"
    assert check_upload(workbook, "诉求.XLSX", LIMIT) == "xlsx"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_text_in_every_office_encoding_is_accepted(encoding):
    data = "诉求编号,街道\nR1,龙城街道\n".encode(encoding)
    assert check_upload(data, "requests.csv", LIMIT) == "csv"


def test_a_zip_that_is_not_a_workbook_is_refused_in_chinese():
    data = _zip({"readme.txt": b"hello"})
    with pytest.raises(UploadRefused, match="既不是 CSV 文本，也不是 Excel 工作簿"):
        check_upload(data, "data.xlsx", LIMIT)
    # a Word document has [Content_Types].xml but no workbook
    docx = _zip({"[Content_Types].xml": b"<Types>wordprocessingml</Types>", "word/document.xml": b"<w/>"})
    with pytest.raises(UploadRefused):
        check_upload(docx, "data.xlsx", LIMIT)


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable renamed
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n\x00",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\x7fELF\x02\x01\x01\x00",
], ids=["exe", "pdf", "png", "elf"])
def test_binary_files_named_csv_are_refused(data):
    with pytest.raises(UploadRefused, match="请上传 CSV 或 .xlsx 文件"):
        check_upload(data, "requests.csv", LIMIT)


def test_a_legacy_xls_workbook_gets_its_own_message():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    with pytest.raises(UploadRefused, match=r"另存为 \.xlsx"):
        check_upload(ole, "old.xls", LIMIT)


def test_extension_must_agree_with_content():
    with pytest.raises(UploadRefused, match="扩展名与内容不符"):
        check_upload(importer.template_xlsx("requests"), "requests.csv", LIMIT)
    with pytest.raises(UploadRefused, match="扩展名与内容不符"):
        check_upload(b"a,b\n1,2\n", "requests.xlsx", LIMIT)
    with pytest.raises(UploadRefused, match="扩展名与内容不符"):
        check_upload(b"a,b\n1,2\n", "requests.exe", LIMIT)


def test_size_is_limited_and_an_empty_file_refused():
    with pytest.raises(UploadRefused, match="文件过大"):
        check_upload(b"a,b\n" * (LIMIT // 4 + 1), "big.csv", LIMIT)
    with pytest.raises(UploadRefused, match="文件为空"):
        check_upload(b"", "empty.csv", LIMIT)


def test_a_zip_bomb_is_not_a_workbook():
    parts = {"[Content_Types].xml": b"<Types>spreadsheetml</Types>", "xl/workbook.xml": b"<w/>",
             "xl/worksheets/sheet1.xml": b"\x00" * (50 * 1024 * 1024)}
    data = _zip(parts)
    assert len(data) < 100 * 1024
    assert content_kind(data) is None


def test_uploaded_names_stay_inside_the_data_folder(tmp_path):
    assert path_in_data_folder(tmp_path, "诉求 2024.csv") == (tmp_path / "诉求 2024.csv").resolve()
    # path parts are dropped: only the base name is kept, inside the folder
    assert path_in_data_folder(tmp_path, "../../etc/passwd") == (tmp_path / "passwd").resolve()
    assert path_in_data_folder(tmp_path, "C:\\Users\\x\\a.csv") == (tmp_path / "a.csv").resolve()
    assert path_in_data_folder(tmp_path, "/abs/b.xlsx") == (tmp_path / "b.xlsx").resolve()
    for bad in ("..", ".", "", ".hidden.csv", "a\x00.csv"):
        with pytest.raises(UploadRefused):
            path_in_data_folder(tmp_path, bad)
    # a symbolic link in the folder pointing out of it is refused
    (tmp_path / "link.csv").symlink_to("/etc/hostname")
    with pytest.raises(UploadRefused, match="数据目录之外"):
        path_in_data_folder(tmp_path, "link.csv")


def test_streamlit_config_keeps_xsrf_on_and_caps_uploads_like_the_deployment():
    """.streamlit/config.toml (every `streamlit run`) says what deploy/streamlit.env says: XSRF and CORS
    on, the same upload cap, which is above the importer's own limit."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    server = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    deploy_env = dict(line.split("=", 1) for line in (root / "deploy" / "streamlit.env").read_text().splitlines()
                      if line and not line.startswith("#"))
    assert deploy_env["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] == "true"
    assert server["maxUploadSize"] == int(deploy_env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    assert server["maxUploadSize"] * 1024 * 1024 >= importer.max_bytes()
