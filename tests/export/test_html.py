"""The interactive HTML page: self-contained, data embedded safely, and (in headless
Chromium) every node rendered, search, click for details, hostile text shown as text."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.export.conftest import HOSTILE_NCT, HOSTILE_TITLE
from trialgraph.export import export, project
from trialgraph.export.html import embed_json
from trialgraph.store import EmbeddedStore

CHROMIUM = next(
    (
        p
        for p in (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
        )
        if p
    ),
    None,
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian: apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def page(hostile_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(hostile_store, "html", tmp_path_factory.mktemp("html") / "graph.html")


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text("utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", text, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref=", text, re.IGNORECASE)
    assert "Cytoscape Consortium" in text  # the vendored library, with its licence header
    assert "default-src 'none'" in html.unescape(text)


def test_hostile_text_cannot_break_out_of_the_data(page: Path) -> None:
    text = page.read_text("utf-8")
    assert HOSTILE_TITLE not in text
    assert "<img" not in text
    # exactly the page's own script elements
    assert len(re.findall(r"<script\b", text, re.IGNORECASE)) == 3
    match = re.search(
        r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.DOTALL
    )
    assert match and "<" not in match.group(1)
    data = json.loads(match.group(1))
    titles = {n["data"].get("title") for n in data["elements"]["nodes"]}
    assert HOSTILE_TITLE in titles


def test_embed_json_escapes_markup() -> None:
    text = embed_json({"a": "</script><!-- & \u2028"})
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


# ---------------------------------------------------------------------------------------
# in a browser

HARNESS = """
(function () {
  function report(value) {
    var out = document.createElement("pre");
    out.id = "harness-result";
    out.textContent = JSON.stringify(value);
    document.body.appendChild(out);
  }
  setTimeout(function () {
    try {
      var viewer = window.trialgraphViewer;
      var cy = viewer.cy;
      var box = cy.container().getBoundingClientRect();
      var rendered = cy.nodes().filter(function (n) {
        var p = n.renderedPosition();
        return n.visible() && p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height;
      }).length;
      // search through the input box, as a user types
      var input = document.getElementById("search");
      input.value = SEARCH;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      var results = Array.prototype.map.call(
        document.querySelectorAll("#results li"), function (li) { return li.dataset.id; });
      // click the hostile trial's node where it is drawn
      var node = cy.getElementById(CLICK);
      cy.fit(node, 200);
      var p = node.renderedPosition();
      var x = box.left + p.x, y = box.top + p.y;
      var target = document.elementFromPoint(x, y);
      var opts = { bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0, buttons: 1 };
      target.dispatchEvent(new MouseEvent("mousedown", opts));
      target.dispatchEvent(new MouseEvent("mouseup", opts));
      target.dispatchEvent(new MouseEvent("click", opts));
      var details = document.getElementById("details");
      report({
        nodes: cy.nodes().length, edges: cy.edges().length, rendered: rendered,
        results: results, selected: cy.$(":selected").map(function (n) { return n.id(); }),
        detailsText: details.textContent,
        detailsElements: details.querySelectorAll("script, img, iframe").length,
        links: Array.prototype.map.call(
          details.querySelectorAll("a"), function (a) { return a.href; }),
        scripts: document.querySelectorAll("script").length,
        images: document.querySelectorAll("img").length,
        pwned: window.__pwned === undefined ? null : String(window.__pwned)
      });
    } catch (error) {
      report({ error: String(error && error.stack || error) });
    }
  }, 300);
})();
"""


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def run_in_chromium(page: Path, tmp_path: Path, search: str, click: str) -> dict[str, Any]:
    """Load ``page`` with a test harness appended and return what the harness reported."""
    assert CHROMIUM is not None
    harness = HARNESS.replace("SEARCH", json.dumps(search)).replace("CLICK", json.dumps(click))
    text = page.read_text("utf-8")
    # allow the harness under the page's own Content-Security-Policy, by its hash
    text = text.replace("script-src ", f"script-src {_csp_hash(harness)} ", 1)
    text = text.replace("</body>", f"<script>{harness}</script>\n</body>", 1)
    probe = tmp_path / "probe.html"
    probe.write_text(text, encoding="utf-8")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--window-size=1400,1000",
        "--virtual-time-budget=5000",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        probe.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'<pre id="harness-result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert match, f"no harness result; chromium said:\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    assert "error" not in result, result.get("error")
    return result


@needs_chromium
def test_page_in_chromium(page: Path, hostile_store: EmbeddedStore, tmp_path: Path) -> None:
    graph = project(hostile_store)
    hostile = f"trial:{HOSTILE_NCT}"
    result = run_in_chromium(page, tmp_path, search="msln", click=hostile)
    # every node is drawn inside the view
    assert result["nodes"] == result["rendered"] == graph.number_of_nodes()
    assert result["edges"] == graph.number_of_edges()
    # search finds the target by its symbol, case-insensitively
    assert "target:MSLN" in result["results"]
    # clicking the node shows its details, the hostile title as plain text
    assert result["selected"] == [hostile]
    assert HOSTILE_TITLE in result["detailsText"]
    assert HOSTILE_NCT in result["detailsText"]
    assert result["detailsElements"] == 0
    assert f"https://clinicaltrials.gov/study/{HOSTILE_NCT}" in result["links"]
    # nothing from the record ran or became markup
    assert result["pwned"] is None
    assert result["images"] == 0
    assert result["scripts"] == 4  # data, library, viewer, and the test harness
