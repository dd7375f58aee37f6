"""Pages at the size of the landscape (issue 15, item 9): a site of ~2,000 technologies.

The site is made from a synthetic landscape (``tests/support/landscape.py``): the shipped graph
plus 2,000 tools with the facts the catalogues give (licence, status, stars, categories, kind,
repository), most without a description. Checked without a browser: every technology is a row
of the index with its facts (an empty cell where one is missing), a tool without a description
says what it is from its facts, the whole graph and the substitutes view become overviews with
a note on ``--tool``, names that look like markup stay text. With Debian's chromium and
playwright, the index is measured in a real browser: loaded and filterable, a filter keystroke,
sorting by stars (see the README, "Graph pages", for the figures and the bounds' reasons).
"""
from __future__ import annotations

import json
import re
import time

import pytest

from mlops_kg.pages import viz
from mlops_kg.pages.facts import summarise
from mlops_kg.pages.site import filter_token, site_pages
from tests.support.landscape import HOSTILE, synthetic_landscape
from tests.support.pages import PageInspector

TOOLS = 2000
#: Bounds of the browser measurements, in milliseconds, each several times what this 2-core
#: machine measures while other suites run (README, "Graph pages"): generous, so they never flake,
#: and still far below what a user notices as broken.
INTERACTIVE_MS = 8000      # loaded, laid out and filterable: measured 0.9–2.0 s
FIRST_PAINT_MS = 4000      # measured 0.3–1.7 s
FILTER_MS = 250            # a keystroke's filtering in the script: measured 0.1–45 ms
KEYSTROKE_MS = 1500        # a keystroke until the browser painted the result: measured 8–415 ms
ALL_ROWS_MS = 5000         # all 2,000 rows back (clearing the filter; a slice a frame): measured 0.3–1.7 s
SORT_MS = 3000             # a click on Stars until painted (every row moves): measured 0.5–0.9 s


@pytest.fixture(scope="module")
def landscape(dataset):
    """``(dataset, analysis, pages, seconds to make the pages)`` of the synthetic landscape."""
    from mlops_kg.analysis.result import analyze
    from mlops_kg.model.load import union_graph

    ds = synthetic_landscape(TOOLS, base=dataset)
    analysis = analyze(union_graph(ds))
    start = time.perf_counter()
    pages = site_pages(ds, analysis)
    return ds, analysis, pages, time.perf_counter() - start


def _synthetic(analysis) -> list[str]:
    return sorted(iri for iri in analysis.profiles if "/tool/synthetic-" in iri)


def test_the_site_is_made_in_seconds(landscape):
    _ds, analysis, pages, seconds = landscape
    assert len(analysis.profiles) > TOOLS
    # one page per technology, and the index, graph, clusters and compare pages
    assert sum(1 for name in pages if name.endswith(".html")) == len(analysis.profiles) + 4
    assert seconds < 60, f"{seconds:.1f} s for {len(pages)} files"  # about 3–8 s here


def test_every_technology_is_a_row_with_its_facts(landscape):
    ds, analysis, pages, _s = landscape
    index = pages["index.html"]
    rows = re.findall(r"<tr data-kind=.*?</tr>", index)
    assert len(rows) == len(analysis.profiles)
    headers = re.findall(r'<button type="button" data-column="\d+"[^>]*>([^<]+)</button>', index)
    assert {"Name", "Kind", "Capabilities", "Licence", "Status", "Stars", "Categories"} <= set(headers)
    stars = headers.index("Stars")
    index_of_facts = _site_facts(ds)
    facts = {iri: summarise(index_of_facts, analysis.labels, iri) for iri in _synthetic(analysis)[:300]}
    by_href = {re.search(r'href="([^"]+)"', row).group(1): row for row in rows}
    from mlops_kg.pages.site import page_paths

    paths = page_paths(analysis)
    missing_licence = missing_stars = 0
    for iri, summary in facts.items():
        row = by_href[paths[iri]]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[stars] == ("" if summary.stars is None else f"{summary.stars:,}")
        missing_stars += summary.stars is None
        licence_cell = cells[headers.index("Licence")]
        assert (licence_cell == "") == (not summary.licences)
        missing_licence += not summary.licences
        assert f'data-status="{summary.status}"' in row
        if summary.licences:
            assert all(filter_token(lic.iri) in re.search(r'data-licence="([^"]*)"', row).group(1).split()
                       for lic in summary.licences)
    assert missing_licence and missing_stars, "the fixture must have tools without a licence and without stars"


def _site_facts(ds):
    from mlops_kg.pages.facts import FactIndex
    from mlops_kg.model.namespaces import GRAPHS

    triples = set()
    for graph in ds.graphs():
        if graph.identifier not in (GRAPHS.ANALYSIS, GRAPHS.ONTOLOGY):
            triples.update(graph)
    return FactIndex(sorted(triples))


def test_a_tool_without_a_description_says_what_it_is_from_its_facts(landscape):
    ds, analysis, pages, _s = landscape
    from mlops_kg.pages.site import page_paths

    paths = page_paths(analysis)
    facts = _site_facts(ds)
    checked = 0
    for iri in _synthetic(analysis)[10:200]:
        page = pages[paths[iri]]
        summary = summarise(facts, analysis.labels, iri)
        own_words = "Our own words about" in page
        assert ('class="what-it-is"' in page) != own_words
        if own_words or not summary.kind or not summary.licences:
            continue
        text = PageInspector(page).text
        sentence = text[text.index(summary.label + " is "):]
        assert sentence.split(".")[0].startswith(f"{summary.label} is ")
        assert summary.kind[1:] in sentence and summary.licences[0].name in sentence
        assert "kind" in text and ("GitHub stars" in text or summary.stars is None)
        checked += 1
    assert checked > 50


def test_above_the_limit_the_graph_pages_are_overviews(landscape):
    _ds, analysis, pages, _s = landscape
    graph = PageInspector(pages["graph.html"]).graph_data()
    capabilities = {c for p in analysis.profiles.values() for c in p.capabilities}
    assert {n["id"] for n in graph["nodes"]} == capabilities
    assert all(n["kind"] == "capability" and n["url"].startswith("index.html#capability=capability/")
               for n in graph["nodes"])
    assert "mlops-kg viz --tool NAME" in pages["graph.html"]
    clusters = PageInspector(pages["clusters.html"]).graph_data()
    assert len(clusters["nodes"]) <= viz.OVERVIEW_CLUSTERS + 1
    assert sum(int(re.search(r"\(([\d,]+)\)$", n["label"]).group(1).replace(",", ""))
               for n in clusters["nodes"]) == sum(len(c["members"]) for c in analysis.clusters)
    assert "--view substitutes --tool NAME" in pages["clusters.html"]
    assert len(pages["graph.html"]) < 200_000 and len(pages["clusters.html"]) < 2_000_000


def test_viz_draws_overviews_above_the_limit_and_neighbourhoods_on_demand(landscape, monkeypatch):
    from mlops_kg.pages import site

    ds, analysis, _pages, _s = landscape
    monkeypatch.setattr(site, "load_built", lambda _build: (ds, analysis))
    full = site.graph_view_for("unused", view="full")
    assert {n["kind"] for n in full.nodes} == {"capability"} and "--tool" in full.note
    substitutes = site.graph_view_for("unused", view="substitutes")
    assert {n["kind"] for n in substitutes.nodes} == {"cluster"}
    label = analysis.labels[_synthetic(analysis)[500]]
    one = site.graph_view_for("unused", view="full", tool=label)
    assert one.center == _synthetic(analysis)[500] and not one.note
    assert viz.needs_overview(analysis)


def test_names_that_look_like_markup_stay_text_at_scale(landscape):
    _ds, _analysis, pages, _s = landscape
    index = PageInspector(pages["index.html"])
    assert [s["attrs"].get("src") for s in index.scripts] == ["assets/index.js"]
    assert index.event_handler_attributes() == []
    for name in HOSTILE:
        assert name in index.text
        assert name not in pages["index.html"]  # only escaped


# --- in a browser ----------------------------------------------------------------------------

from tests.test_browser import CHROMIUM, browser, shots, sync_playwright, visit, wait_ready  # noqa: E402,F401

KEYSTROKE = """(text) => new Promise(resolve => {
    const input = document.getElementById('tool-filter');
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input'));
    requestAnimationFrame(() => requestAnimationFrame(() => {
        const painted = performance.now() - t0, filtering = mlopsKgIndex.timings.filter;
        const done = () => mlopsKgIndex.pending ? setTimeout(done, 5)
            : resolve([painted, filtering, mlopsKgIndex.shown, performance.now() - t0]);
        done();
    }));
})"""
CLICK = """(column) => new Promise(resolve => {
    const t0 = performance.now();
    document.querySelector(`button[data-column="${column}"]`).click();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(
        [mlopsKgIndex.timings.sort, performance.now() - t0])));
})"""
ORDER = """(column) => [...document.querySelectorAll('#tools tbody tr')]
    .map(tr => tr.cells[column].getAttribute('data-sort'))"""


@pytest.fixture(scope="module")
def landscape_site(landscape, tmp_path_factory):
    """The site folder of the pages made above, each written as ``write_site`` writes it (UTF-8
    text at its relative path): ``write_site`` would make the same pages again, ~25 s here."""
    _ds, _analysis, pages, _s = landscape
    site = tmp_path_factory.mktemp("landscape") / "site"
    for rel, text in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@pytest.mark.skipif(sync_playwright is None, reason="needs playwright from pip (pip install playwright)")
def test_the_index_of_two_thousand_tools_is_quick_in_a_browser(browser, shots, landscape, landscape_site):
    _ds, analysis, _pages, _s = landscape
    total = len(analysis.profiles)
    with visit(browser, landscape_site / "index.html", shots, "landscape-index") as v:
        page = v.page
        page.wait_for_function("() => window.mlopsKgIndex && window.mlopsKgIndex.ready", timeout=60000)
        measured = page.evaluate("""() => ({ready: mlopsKgIndex.timings.ready, setup: mlopsKgIndex.timings.setup,
            paint: Math.min(...performance.getEntriesByType('paint').map(e => e.startTime))})""")
        assert page.inner_text("#tool-count") == f"{total} of {total} shown"
        keystrokes = [page.evaluate(KEYSTROKE, text) for text in ("s", "se", "ser", "serv", "serve", "")]
        assert keystrokes[-1][2] == total and 0 < keystrokes[-2][2] < total
        shown = page.locator("#tools tbody tr:not([hidden])")
        page.evaluate(KEYSTROKE, "serve")
        assert all("serve" in shown.nth(i).inner_text().lower() for i in range(min(20, shown.count())))
        page.evaluate(KEYSTROKE, "")
        # sort by stars: most first, tools without a star count last
        column = int(page.locator("button[data-column]", has_text="Stars").get_attribute("data-column"))
        sort_ms, sort_painted_ms = page.evaluate(CLICK, column)
        order = page.evaluate(ORDER, column)
        counted = [int(x) for x in order if x != ""]
        assert counted == sorted(counted, reverse=True) and order[len(counted):] == [""] * (total - len(counted))
        assert page.get_attribute(f"th:nth-child({column + 1})", "aria-sort") == "descending"
        # filters by licence and status
        page.select_option("select[data-filter=licence]", "spdx:MIT")
        page.select_option("select[data-filter=status]", "archived")
        rows = page.locator("#tools tbody tr:not([hidden])")
        assert 0 < rows.count() < total
        assert all(rows.nth(i).get_attribute("data-status") == "archived"
                   and "spdx:MIT" in rows.nth(i).get_attribute("data-licence").split() for i in range(rows.count()))
        v.assert_clean()
    figures = {"tools": total, "interactive_ms": round(measured["ready"]), "first_paint_ms": round(measured["paint"]) if measured["paint"] else None,
               "script_setup_ms": round(measured["setup"], 1),
               "keystroke_until_painted_ms": [round(k[0], 1) for k in keystrokes],
               "keystroke_filtering_ms": [round(k[1], 1) for k in keystrokes],
               "keystroke_until_every_row_shown_ms": [round(k[3], 1) for k in keystrokes],
               "sort_by_stars_ms": round(sort_ms, 1), "sort_until_painted_ms": round(sort_painted_ms, 1)}
    (shots / "landscape-index-timings.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print("\nindex of", total, "technologies:", json.dumps(figures))
    assert measured["ready"] < INTERACTIVE_MS, figures
    assert measured["paint"] is None or measured["paint"] < FIRST_PAINT_MS, figures  # headless may not record it
    assert max(k[1] for k in keystrokes) < FILTER_MS, figures
    assert max(k[0] for k in keystrokes) < KEYSTROKE_MS, figures
    assert max(k[3] for k in keystrokes) < ALL_ROWS_MS, figures
    assert sort_painted_ms < SORT_MS, figures


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@pytest.mark.skipif(sync_playwright is None, reason="needs playwright from pip (pip install playwright)")
@pytest.mark.parametrize("name", ["graph.html", "clusters.html", "tool/synthetic-00010.html"])
def test_landscape_graph_pages_draw_quickly(browser, shots, landscape_site, name):
    with visit(browser, landscape_site / name, shots, "landscape-" + name.replace("/", "-")) as v:
        v.page.locator("#graph").scroll_into_view_if_needed()
        wait_ready(v.page, timeout_ms=30000)
        nodes = v.page.evaluate("mlopsKg.network.body.data.nodes.length")
        assert 1 < nodes <= viz.OVERVIEW_CLUSTERS + 1 or name.startswith("tool/")
        v.assert_clean()
