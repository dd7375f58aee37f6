"""Graph pages in a real browser: headless Chromium (Debian's ``chromium``) driven by playwright.

Every request that is not ``file://`` is blocked and recorded. Each page must: send no request
off the machine, log no console error, build its network with the expected node and edge counts,
paint the canvas, find a tool through the search box; tool pages must link to their substitutes'
pages; labels that look like markup must show as text and run nothing; a 2,000-node page must be
ready within a few seconds. A screenshot of each page is kept under the pytest tmp folder
(``.../screenshots0/``).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from mlops_kg.pages import viz
from mlops_kg.cli import cli
from mlops_kg.pages.provenance import node_origins
from mlops_kg.pages.site import load_built, write_site
from tests.support.pages import synthetic_graph

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MLFLOW = "https://w3id.org/mlops-kg/id/tool/mlflow"
XSS_SCRIPT = "https://w3id.org/mlops-kg/id/tool/xss-script"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
    pytest.mark.skipif(sync_playwright is None,
                       reason="needs playwright from pip (pip install playwright); its own browsers are not used"),
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def shipped(built):
    return load_built(built)


@pytest.fixture(scope="module")
def viz_pages(built, shipped, tmp_path_factory):
    """The three kinds of `mlops-kg viz` page, made by the CLI, with the counts each must show."""
    _ds, analysis = shipped
    out = tmp_path_factory.mktemp("viz")
    runs = {"viz-full": [], "viz-substitutes": ["--view", "substitutes"], "viz-tool": ["--tool", "mlflow"]}
    for name, args in runs.items():
        result = CliRunner().invoke(cli, ["viz", *args, "-o", str(out / f"{name}.html"), "--build", str(built)])
        assert result.exit_code == 0, result.output
    ego = nx.ego_graph(analysis.full.to_undirected(), MLFLOW, radius=1)
    return out, {
        "viz-full": _counts(analysis.full),
        "viz-substitutes": (analysis.subst.number_of_nodes(), analysis.subst.number_of_edges()),
        "viz-tool": _counts(ego),
    }


def _counts(graph) -> tuple[int, int]:
    return graph.number_of_nodes(), len({frozenset(e) for e in graph.edges() if e[0] != e[1]})


@dataclass
class Visit:
    page: object
    requests: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    console: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)

    def assert_clean(self):
        assert self.blocked == [], f"requests left the machine: {self.blocked}"
        assert [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)] == []
        assert [m for m in self.console if m[0] in ("error", "warning")] == [], self.console
        assert self.errors == [] and self.dialogs == [], (self.errors, self.dialogs)


@contextmanager
def visit(browser, path: Path, shots: Path, name: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            record.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    record = Visit(page)
    page.on("request", lambda r: record.requests.append(r.url))
    page.on("console", lambda m: record.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: record.errors.append(str(e)))
    page.on("dialog", lambda d: (record.dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(path.as_uri())
        yield record
    finally:
        try:
            page.screenshot(path=str(shots / f"{name}.png"))
        finally:
            context.close()


def wait_ready(page, timeout_ms: int = 15000):
    page.wait_for_function("() => window.mlopsKg && window.mlopsKg.ready === true", timeout=timeout_ms)


PAINTED_PIXELS = """() => {
  const canvas = document.querySelector('#graph canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { n += 1; } }
  return n;
}"""
NETWORK_COUNTS = "[mlopsKg.network.body.data.nodes.length, mlopsKg.network.body.data.edges.length]"


def check_graph_page(page, counts, *, find="MLflow", expect=MLFLOW):
    wait_ready(page)
    assert page.evaluate("typeof vis === 'object' && mlopsKg.network instanceof vis.Network")
    assert tuple(page.evaluate(NETWORK_COUNTS)) == counts
    assert page.evaluate(PAINTED_PIXELS) > 2000, "the canvas is blank"
    page.fill("#search", find)
    page.press("#search", "Enter")
    assert page.evaluate("mlopsKg.network.getSelectedNodes()") == [expect]
    assert page.inner_text("#details").startswith(find)


@pytest.mark.parametrize("name", ["viz-full", "viz-substitutes", "viz-tool"])
def test_viz_pages(browser, shots, viz_pages, name):
    folder, counts = viz_pages
    with visit(browser, folder / f"{name}.html", shots, name) as v:
        check_graph_page(v.page, counts[name])
        # the type filter hides other types
        kind = v.page.evaluate("mlopsKg.data.nodes[0].kind")
        v.page.select_option("#kind-filter", kind)
        hidden = v.page.evaluate("mlopsKg.nodes.get({filter: n => n.hidden}).length")
        assert hidden == v.page.evaluate(f"mlopsKg.data.nodes.filter(n => n.kind !== {kind!r}).length") > 0
        v.assert_clean()


@pytest.mark.parametrize("page_name", ["graph.html", "clusters.html", "tool/mlflow.html"])
def test_site_graph_pages(browser, shots, built, shipped, page_name):
    _ds, analysis = shipped
    counts = {"graph.html": _counts(analysis.full),
              "clusters.html": (analysis.subst.number_of_nodes(), analysis.subst.number_of_edges()),
              "tool/mlflow.html": _counts(nx.ego_graph(analysis.full.to_undirected(), MLFLOW, radius=1))}
    with visit(browser, built / "site" / page_name, shots, "site-" + page_name.replace("/", "-")) as v:
        v.page.locator("#graph").scroll_into_view_if_needed()
        check_graph_page(v.page, counts[page_name])
        v.assert_clean()


def test_site_index_sorts_filters_and_links(browser, shots, built, shipped):
    _ds, analysis = shipped
    with visit(browser, built / "site" / "index.html", shots, "site-index") as v:
        page = v.page
        total = len(analysis.profiles)
        assert page.locator("#tools tbody tr").count() == total
        assert page.inner_text("#tool-count") == f"{total} of {total} shown"
        azure = "provider/microsoft-azure"
        page.select_option("select[data-filter=provider]", azure)
        shown = page.locator("#tools tbody tr:not([hidden])")
        assert 0 < shown.count() < total
        assert all(azure in shown.nth(i).get_attribute("data-provider").split() for i in range(shown.count()))
        page.select_option("select[data-filter=provider]", "")
        page.click("button[data-column='0']")
        page.click("button[data-column='0']")  # descending
        names = page.locator("#tools tbody tr td:first-child").all_inner_texts()
        assert names == sorted(names, key=str.lower, reverse=True)
        page.fill("#tool-filter", "mlflow")
        assert page.inner_text("#tool-count") == f"1 of {total} shown"
        page.click("#tools tbody tr:not([hidden]) a")
        page.wait_for_url("**/tool/mlflow.html")
        assert page.inner_text("h1") == "MLflow"
        wait_ready(page)
        v.assert_clean()


def test_tool_page_links_to_its_substitutes_pages(browser, shots, built, shipped):
    _ds, analysis = shipped
    expected = [analysis.labels[iri] for iri, _w, _r in analysis.substitutes(MLFLOW, 10)]
    with visit(browser, built / "site" / "tool" / "mlflow.html", shots, "site-tool-links") as v:
        page = v.page
        links = page.locator("table.substitutes a")
        assert links.all_inner_texts() == expected
        hrefs = [links.nth(i).evaluate("a => a.href") for i in range(links.count())]
        for href in hrefs:
            assert href.startswith("file://")
            assert Path(href[len("file://"):]).is_file(), href
        links.first.click()
        page.wait_for_url(hrefs[0])
        assert page.inner_text("h1") == expected[0]
        wait_ready(page)
        assert page.locator("table.substitutes a", has_text="MLflow").count() == 1  # and back again
        v.assert_clean()


@pytest.fixture(scope="module")
def xss_pages(xss_prepared, tmp_path_factory):
    ds, analysis = xss_prepared
    out = tmp_path_factory.mktemp("xss")
    write_site(out / "site", ds, analysis)
    viz.write_page(viz.graph_page(viz.full_view(analysis.full, origins=node_origins(ds))), out / "xss.html")
    return out, analysis.labels[XSS_SCRIPT]


NO_EVENT_HANDLERS = """() => [...document.querySelectorAll('*')]
    .filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length"""
STRAY_ELEMENTS = """() => document.querySelectorAll('img, iframe, object, embed, svg:not(.swatch), a[href^="javascript:"]').length"""


def _hover_tooltip(page, node_id):
    """Hover the node and return the tooltip's text and the tags of its children."""
    x, y = page.evaluate("""(id) => {
        const n = mlopsKg.network, p = n.canvasToDOM(n.getPosition(id));
        const r = document.querySelector('#graph canvas').getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }""", node_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=5)
    # functions, not expression strings: the pages' Content-Security-Policy forbids eval
    page.wait_for_function("() => { const t = document.querySelector('div.vis-tooltip');"
                           " return t && t.style.visibility === 'visible'; }", timeout=5000)
    return page.evaluate("""() => { const t = document.querySelector('div.vis-tooltip');
        return [t.innerText, [...t.querySelectorAll('*')].map(e => e.tagName)]; }""")


def test_markup_in_labels_shows_as_text_and_runs_nothing(browser, shots, xss_pages):
    folder, label = xss_pages
    with visit(browser, folder / "xss.html", shots, "xss-standalone") as v:
        page = v.page
        wait_ready(page)
        page.fill("#search", "<script>")
        page.press("#search", "Enter")
        assert page.evaluate("mlopsKg.network.getSelectedNodes()") == [XSS_SCRIPT]
        details = page.inner_text("#details")
        assert label in details and "<img src=x onerror=alert('img')>" in details
        text, tags = _hover_tooltip(page, XSS_SCRIPT)
        assert label in text and "</script><script>alert('desc')</script>" in text
        assert set(tags) <= {"BR"}, tags
        assert page.evaluate(NO_EVENT_HANDLERS) == 0
        assert page.evaluate(STRAY_ELEMENTS) == 0
        assert page.evaluate("document.scripts.length") == 3  # vis-network, graph.js, the JSON data
        v.assert_clean()
    for name in ("tool/xss-script.html", "tool/xss-attr.html", "tool/xss-href.html", "tool/mlflow.html",
                 "index.html", "clusters.html"):
        with visit(browser, folder / "site" / name, shots, "xss-site-" + name.replace("/", "-")) as v:
            page = v.page
            if name != "index.html":
                wait_ready(page)
            if name == "tool/xss-script.html":
                assert page.inner_text("h1") == label
                assert "javascript:alert('licence')" in page.inner_text("main")
            assert label in page.inner_text("body")
            assert page.evaluate(NO_EVENT_HANDLERS) == 0
            assert page.evaluate(STRAY_ELEMENTS) == 0
            v.assert_clean()


def test_two_thousand_nodes_open_and_settle_quickly(browser, shots, tmp_path):
    view = viz.full_view(synthetic_graph(2000))
    assert not view.physics  # above PHYSICS_LIMIT: the precomputed layout is final
    path = viz.write_page(viz.graph_page(view), tmp_path / "big.html")
    start = time.monotonic()
    with visit(browser, path, shots, "big-2000") as v:
        wait_ready(v.page, timeout_ms=10000)
        elapsed = time.monotonic() - start
        assert tuple(v.page.evaluate(NETWORK_COUNTS)) == (2000, len(view.edges))
        assert v.page.evaluate(PAINTED_PIXELS) > 2000
        assert elapsed < 5, f"ready after {elapsed:.1f} s"
        assert not v.page.evaluate("mlopsKg.network.physics.physicsEnabled")
        v.assert_clean()
