"""The harness itself: a failed browser test leaves a screenshot and the page's HTML."""

from __future__ import annotations

from types import SimpleNamespace

from tests.browser.artifacts import ARTIFACTS, save_on_failure


def _request(failed: bool | None):
    report = None if failed is None else SimpleNamespace(failed=failed)
    return SimpleNamespace(node=SimpleNamespace(
        nodeid="tests/browser/test_x.py::test_y[Người tiếp theo]", report_call=report))


def test_a_failed_test_leaves_a_screenshot_and_the_html(open_page, tmp_path):
    page = open_page(viewport={"width": 360, "height": 740})
    page.set_content("<!doctype html><html lang='vi'><h1>Phiếu chưa gửi được</h1></html>")
    save_on_failure(_request(failed=True), page, "-1", folder=tmp_path)
    name = "tests_browser_test_x.py_test_y_Ng_i_ti_p_theo_-1"
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{name}.html", f"{name}.png"]
    assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "<h1>Phiếu chưa gửi được</h1>" in (tmp_path / f"{name}.html").read_text("utf-8")


def test_a_passed_test_leaves_nothing(open_page, tmp_path):
    page = open_page()
    for outcome in (False, None):  # passed, or failed before its body ran
        save_on_failure(_request(failed=outcome), page, folder=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_artifacts_folder_is_git_ignored():
    ignored = (ARTIFACTS.parent.parent / ".gitignore").read_text().split()
    assert "tests/artifacts/" in ignored
