"""Uploads on the Data page with Streamlit's XSRF protection on (.streamlit/config.toml): a real file goes
through the browser's upload (which carries the XSRF token), a binary file named .csv is refused by
content with a Chinese message, and an upload request without the token is refused by the server."""

from __future__ import annotations

import urllib.error
import urllib.request

from bench.browser_support import arm_for_rerun, wait_until_done
from data_access import importer


def _open_data_page(page, url: str) -> None:
    page.goto(f"{url}/data")
    wait_until_done(page)
    page.get_by_text("选择文件").first.wait_for()


def _import(page, name: str, data: bytes, mime: str) -> str:
    # each step waits for the run it causes, not for the run before it: in a clean-clone run of 2026-12-07 the
    # button's click reached a run that had no file yet ("请先选择要导入的文件"), the upload's own run still to come
    arm_for_rerun(page)
    page.locator("input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_text(name).first.wait_for()  # Streamlit lists the file
    wait_until_done(page)  # and the run the finished upload causes is over
    arm_for_rerun(page)
    page.get_by_text("仅校验（试运行）").click()
    wait_until_done(page)
    arm_for_rerun(page)
    page.get_by_role("button", name="校验并导入").click()
    wait_until_done(page)
    alert = page.locator("[data-testid=stAlert]").first
    alert.wait_for()
    return alert.inner_text()


def test_an_upload_works_with_xsrf_on_and_a_disguised_file_is_refused(app_server, offline_page):
    page = offline_page
    _open_data_page(page, app_server)
    xsrf = [c for c in page.context.cookies() if c["name"] == "_streamlit_xsrf"]
    assert xsrf, "XSRF protection is on: Streamlit sets its token cookie"
    answer = _import(page, "诉求模板.xlsx", importer.template_xlsx("requests"),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "未导入" not in answer, answer  # read and checked (a dry run), not refused
    assert "校验通过" in answer or "发现" in answer, answer

    _open_data_page(page, app_server)
    answer = _import(page, "伪装.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "text/csv")
    assert "未导入" in answer and "既不是 CSV 文本" in answer, answer
    assert page.external_requests == []
    assert page.policy_violations == []


def test_an_upload_without_the_xsrf_token_is_refused(app_server):
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\na,b\r\n--b--\r\n")
    request = urllib.request.Request(f"{app_server}/_stcore/upload_file/session/file", data=body, method="PUT",
                                     headers={"Content-Type": "multipart/form-data; boundary=b"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 403
