"""The interactive HTML page: self-contained, data embedded safely, and (in headless
Chromium) every node rendered, search, click for details, hostile text shown as text;
trials coloured by phase or status, filtered by phase and status, organizations drawn as
their own kind."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.export.conftest import CSV_TRIAL, HOSTILE_NCT, HOSTILE_TITLE
from trialgraph.export import export, project
from trialgraph.export.html import embed_json
from trialgraph.normalize.facets import PHASES
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

#: The harnesses' way to hand a value back: a <pre id="harness-result"> holding its JSON.
REPORT_JS = """  function report(value) {
    var out = document.createElement("pre");
    out.id = "harness-result";
    out.textContent = JSON.stringify(value);
    document.body.appendChild(out);
  }
"""

HARNESS = """
(function () {
REPORT
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
""".replace("REPORT\n", REPORT_JS)


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def run_in_chromium(page: Path, tmp_path: Path, harness: str) -> dict[str, Any]:
    """Load ``page`` with a test harness appended and return what the harness reported."""
    assert CHROMIUM is not None
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
    harness = HARNESS.replace("SEARCH", json.dumps("msln")).replace("CLICK", json.dumps(hostile))
    result = run_in_chromium(page, tmp_path, harness)
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


# ---------------------------------------------------------------------------------------
# trial facets and organizations


@pytest.fixture(scope="module")
def viewer_trials(corpus_store: EmbeddedStore) -> list[str]:
    """Trials enough for every control, few enough for a quick layout in the browser: every
    other phase-3 trial, every eighth other registry trial, a seed (no facets) and
    :data:`CSV_TRIAL` (two phases)."""
    graph = project(corpus_store, kinds={"trial"})
    trials = [(n, graph.nodes[n]) for n in sorted(graph)]
    phase3 = [n for n, d in trials if "PHASE3" in str(d.get("phase", "")).split("; ")]
    others = [n for n, d in trials if n not in phase3 and "nct_id" in d]
    seed = next(n for n, d in trials if "nct_id" not in d)
    return sorted({*phase3[::2], *others[::8], seed, f"trial:{CSV_TRIAL}"})


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: EmbeddedStore, viewer_trials: list[str]) -> nx.MultiDiGraph[str]:
    return project(corpus_store, trials=viewer_trials)


@pytest.fixture(scope="module")
def corpus_page(
    corpus_store: EmbeddedStore, viewer_trials: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("html") / "corpus.html"
    return export(corpus_store, "html", out, trials=viewer_trials)


def _payload(page: Path) -> dict[str, Any]:
    text = page.read_text("utf-8")
    match = re.search(
        r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.DOTALL
    )
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _select_options(page: Path, ident: str) -> list[str]:
    text = page.read_text("utf-8")
    match = re.search(rf'<select id="{ident}"[^>]*>(.*?)</select>', text, re.DOTALL)
    assert match, ident
    return re.findall(r'<option value="([^"]*)"', match.group(1))


def test_the_page_has_the_trial_controls(corpus_page: Path) -> None:
    assert _select_options(corpus_page, "colour-by") == ["kind", "phase", "status"]
    # the filters start at "any"; the viewer adds the values the data has
    assert _select_options(corpus_page, "phase-filter") == [""]
    assert _select_options(corpus_page, "status-filter") == [""]
    assert 'id="facet-legend"' in corpus_page.read_text("utf-8")


def test_the_page_carries_what_the_controls_need(
    corpus_page: Path, corpus_graph: nx.MultiDiGraph[str]
) -> None:
    payload = _payload(corpus_page)
    assert "organization" in payload["kinds"]
    assert payload["shapes"]["organization"] != payload["shapes"]["trial"]
    assert payload["colours"]["organization"] not in {
        c for k, c in payload["colours"].items() if k != "organization"
    }
    trials = [d for _, d in corpus_graph.nodes(data=True) if d["kind"] == "trial"]
    for facet in ("phase", "status"):
        values = {str(d[facet]) for d in trials if facet in d}
        colours = {p["value"]: p["colour"] for p in payload["facets"][facet]["colours"]}
        assert set(colours) == values, facet
        assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours.values())
    phase = payload["facets"]["phase"]
    # a filter offers each phase alone, in the registry's order; colours go to whole values
    alone = {p for d in trials if "phase" in d for p in str(d["phase"]).split("; ")}
    assert phase["options"] == [p for p in PHASES if p in alone]
    assert {"PHASE1", "PHASE2", "PHASE3"} <= alone
    colours = {p["value"]: p["colour"] for p in phase["colours"]}
    on_scale = [v for v in colours if "NA" not in v.split("; ")]
    assert len({colours[v] for v in on_scale}) == len(on_scale)  # distinct along the scale
    status = payload["facets"]["status"]
    assert {"RECRUITING", "COMPLETED", "TERMINATED"} <= set(status["options"])
    assert len({p["colour"] for p in status["colours"]}) == len(status["colours"])
    # the trial nodes carry the values the controls read
    nodes = {n["data"]["id"]: n["data"] for n in payload["elements"]["nodes"]}
    assert nodes[f"trial:{CSV_TRIAL}"]["phase"] == "PHASE1; PHASE2"
    assert nodes[f"trial:{CSV_TRIAL}"]["status"] == "TERMINATED"
    assert nodes["organization:pfizer"]["kind"] == "organization"


FACET_HARNESS = """
(function () {
REPORT
  function choose(id, value) {
    var select = document.getElementById(id);
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function options(id) {
    return Array.prototype.map.call(document.getElementById(id).options,
      function (o) { return o.value; });
  }
  setTimeout(function () {
    try {
      var cy = window.trialgraphViewer.cy;
      function colour(id) { return cy.getElementById(id).style("background-color"); }
      function shown(kind) {
        // the computed style (visible() can lag behind a class change)
        return cy.nodes().filter(function (n) {
          return n.style("display") !== "none" && (!kind || n.data("kind") === kind);
        }).map(function (n) { return n.id(); });
      }
      function legend() {
        return Array.prototype.map.call(document.querySelectorAll("#facet-legend li"),
          function (li) { return li.textContent; });
      }
      var out = {
        options: { phase: options("phase-filter"), status: options("status-filter") },
        shapes: { organization: cy.getElementById(ORG).style("shape"),
                  trial: cy.getElementById(TRIAL).style("shape"),
                  product: cy.nodes("[kind = 'product']")[0].style("shape") },
        byKind: { trial: colour(TRIAL), organization: colour(ORG), product: colour(PRODUCT) }
      };
      choose("colour-by", "phase");
      out.byPhase = { trial: colour(TRIAL), organization: colour(ORG), product: colour(PRODUCT),
                      seed: colour(SEED), legend: legend() };
      choose("colour-by", "status");
      out.byStatus = { trial: colour(TRIAL), legend: legend() };
      choose("phase-filter", "PHASE3");
      out.phase3 = { trials: shown("trial"), nodes: shown(), legend: legend() };
      document.querySelector("#legend button[data-kind='organization']").click();
      out.phase3NoOrganizations = shown("organization").length;
      document.querySelector("#legend button[data-kind='organization']").click();
      choose("status-filter", "RECRUITING");
      out.phase3Recruiting = { trials: shown("trial"), nodes: shown(),
                              status: document.getElementById("status").textContent };
      choose("phase-filter", "");
      choose("status-filter", "");
      choose("colour-by", "kind");
      out.reset = { nodes: shown().length, trial: colour(TRIAL), legend: legend() };
      report(out);
    } catch (error) {
      report({ error: String(error && error.stack || error) });
    }
  }, 300);
})();
""".replace("REPORT\n", REPORT_JS)


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r},{g},{b})"


def _shown_with(graph: nx.MultiDiGraph[str], trials: set[str]) -> set[str]:
    """The trials and everything their edges lead to."""
    return trials | {n for t in trials for n in nx.descendants(graph, t)}


@needs_chromium
def test_trial_colours_and_filters_in_chromium(
    corpus_page: Path, corpus_graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    payload = _payload(corpus_page)
    trial, org = f"trial:{CSV_TRIAL}", "organization:pfizer"
    product = next(
        v for _, v, d in corpus_graph.out_edges(trial, data=True) if d["relation"] == "tests"
    )
    seed = next(
        n for n, d in corpus_graph.nodes(data=True) if d["kind"] == "trial" and "nct_id" not in d
    )
    harness = FACET_HARNESS
    for name, value in (("TRIAL", trial), ("ORG", org), ("PRODUCT", product), ("SEED", seed)):
        harness = harness.replace(name, json.dumps(value))
    result = run_in_chromium(corpus_page, tmp_path, harness)

    facets = payload["facets"]
    assert result["options"]["phase"] == ["", *facets["phase"]["options"]]
    assert result["options"]["status"] == ["", *facets["status"]["options"]]
    assert result["shapes"] == {
        "organization": "diamond",
        "trial": "round-rectangle",
        "product": "ellipse",
    }
    assert result["byKind"] == {
        k: _rgb(payload["colours"][k]) for k in ("trial", "organization", "product")
    }
    # by phase: the trial takes its phases' colour, the seed (no phase) the colour for none,
    # and the other kinds are muted
    phase_colour = {p["value"]: p["colour"] for p in facets["phase"]["colours"]}
    assert result["byPhase"]["trial"] == _rgb(phase_colour["PHASE1; PHASE2"])
    assert result["byPhase"]["seed"] == _rgb(payload["otherColour"])
    assert (
        result["byPhase"]["product"]
        == result["byPhase"]["organization"]
        == _rgb(payload["mutedColour"])
    )
    trials = {n: d for n, d in corpus_graph.nodes(data=True) if d["kind"] == "trial"}
    in_both = sum(1 for d in trials.values() if d.get("phase") == "PHASE1; PHASE2")
    assert f"PHASE1; PHASE2 ({in_both})" in result["byPhase"]["legend"]
    no_phase = sum(1 for d in trials.values() if "phase" not in d)
    assert f"no phase ({no_phase})" in result["byPhase"]["legend"]
    status_colour = {p["value"]: p["colour"] for p in facets["status"]["colours"]}
    assert result["byStatus"]["trial"] == _rgb(status_colour["TERMINATED"])
    assert len(result["byStatus"]["legend"]) == len(status_colour) + 1  # and "no status"
    # the phase filter keeps the trials in phase 3 (alone or with another) and their neighbours
    phase3 = {n for n, d in trials.items() if "PHASE3" in str(d.get("phase", "")).split("; ")}
    assert phase3 and set(result["phase3"]["trials"]) == phase3
    assert set(result["phase3"]["nodes"]) == _shown_with(corpus_graph, phase3)
    # the legend counts the trials shown
    counts = Counter(str(trials[n].get("status", "")) for n in phase3)
    expected = [f"{v} ({counts[v]})" for v in status_colour if counts[v]]
    if counts[""]:
        expected.append(f"no status ({counts['']})")
    assert result["phase3"]["legend"] == expected
    assert result["phase3NoOrganizations"] == 0
    both = {n for n in phase3 if trials[n].get("status") == "RECRUITING"}
    assert both and both < phase3
    assert set(result["phase3Recruiting"]["trials"]) == both
    assert set(result["phase3Recruiting"]["nodes"]) == _shown_with(corpus_graph, both)
    shown = len(_shown_with(corpus_graph, both))
    assert result["phase3Recruiting"]["status"].startswith(f"{shown} of ")
    assert result["reset"] == {
        "nodes": corpus_graph.number_of_nodes(),
        "trial": _rgb(payload["colours"]["trial"]),
        "legend": [],
    }
