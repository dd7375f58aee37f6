"""Graph pages and the static site, without a browser: determinism, offline-ness, escaping,
counts, layout, the physics threshold, the CLI and its bad inputs. (tests/test_browser.py opens
the same pages in headless Chromium.)"""
from __future__ import annotations

import errno
import json
import re
import tempfile
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from mlops_kg.pages import markup, viz
from mlops_kg.cli import cli
from mlops_kg.errors import OutputError
from mlops_kg.pages.provenance import node_origins
from mlops_kg.pages.site import load_built, page_paths, site_pages, write_site
from tests.support.pages import CDN_MARKERS, PageInspector, synthetic_graph

MLFLOW = "https://w3id.org/mlops-kg/id/tool/mlflow"
XSS = {
    "script": "https://w3id.org/mlops-kg/id/tool/xss-script",
    "attr": "https://w3id.org/mlops-kg/id/tool/xss-attr",
    "href": "https://w3id.org/mlops-kg/id/tool/xss-href",
}
XSS_MARKUP = ("<script>alert('label')</script>", "<img src=x onerror=alert('img')>", "</script><script>",
              "\"onmouseover=\"alert('attr')\"", "<a href=\"javascript:alert('href')\">", "<svg onload=",
              "<b>bold alias</b>")


@pytest.fixture(scope="module")
def shipped(built):
    """``(dataset, analysis)`` read back from the session build, as the CLI does."""
    return load_built(built)


@pytest.fixture(scope="module")
def xss_site(xss_prepared):
    return site_pages(*xss_prepared)


def _unordered_pairs(graph) -> int:
    return len({frozenset((a, b)) for a, b in graph.edges() if a != b})


# --- views -----------------------------------------------------------------------------------

def test_full_view_has_every_node_typed_with_provenance(shipped):
    ds, analysis = shipped
    view = viz.full_view(analysis.full, origins=node_origins(ds), scores=analysis.scores["pagerank"])
    assert len(view.nodes) == analysis.full.number_of_nodes()
    assert len(view.edges) == _unordered_pairs(analysis.full)
    kinds = {n["kind"] for n in view.nodes}
    assert {"tool", "provider", "service", "language", "framework", "industry", "use-case", "capability"} <= kinds
    # colour and shape both tell the types apart
    assert len({viz.KINDS[k][1] for k in kinds}) == len(kinds) == len({viz.KINDS[k][2] for k in kinds})
    assert [item["label"] for item in view.legend] == [viz.KINDS[k][0] for k in viz.KINDS if k in kinds]
    mlflow = next(n for n in view.nodes if n["id"] == MLFLOW)
    assert mlflow["label"] == "MLflow" and mlflow["type"] == "Tool" and mlflow["shape"] == "dot"
    assert mlflow["source"] == "stated by the guide; curated; inferred by the build"
    assert mlflow["description"].startswith("Open-source platform")
    edge = next(e for e in view.edges if {e["from"], e["to"]} == {MLFLOW, "https://w3id.org/mlops-kg/id/tool/dvc"})
    assert "stated alternative" in edge["label"] and "MLflow → stated alternative → DVC" in edge["title"]
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in view.nodes)


def test_substitutes_view_is_technologies_coloured_by_cluster(shipped):
    _ds, analysis = shipped
    view = viz.substitutes_view(analysis)
    assert len(view.nodes) == analysis.subst.number_of_nodes()
    assert len(view.edges) == analysis.subst.number_of_edges()
    assert {n["kind"] for n in view.nodes} <= {"tool", "service", "platform"}
    assert [c["label"] for c in view.clusters] == [c["name"] for c in analysis.clusters]
    colour_of = {c["label"]: c["color"] for c in view.clusters}
    assert all(n["color"] == colour_of[n["cluster"]] for n in view.nodes)
    widths = {(e["from"], e["to"]): e["width"] for e in view.edges}
    heavy = max(view.edges, key=lambda e: e["weight"])
    light = min(view.edges, key=lambda e: e["weight"])
    assert widths[heavy["from"], heavy["to"]] > widths[light["from"], light["to"]]
    assert "substitutability" in heavy["title"]


def test_neighbourhood_view_counts(shipped):
    _ds, analysis = shipped
    for hops in (1, 2):
        view = viz.neighbourhood_view(analysis.full, MLFLOW, hops=hops)
        ego = nx.ego_graph(analysis.full.to_undirected(), MLFLOW, radius=hops)
        assert len(view.nodes) == ego.number_of_nodes()
        assert len(view.edges) == _unordered_pairs(ego)
        assert view.center == MLFLOW and view.data()["center"] == MLFLOW
    assert viz.neighbourhood_view(analysis.full, MLFLOW, hops=0).nodes[0]["id"] == MLFLOW


def test_same_graph_gives_the_same_file(shipped):
    ds, analysis = shipped
    pages = []
    for _ in range(2):
        origins = node_origins(ds)
        pages.append([viz.graph_page(viz.full_view(analysis.full, origins=origins)),
                      viz.graph_page(viz.substitutes_view(analysis, origins=origins)),
                      viz.graph_page(viz.neighbourhood_view(analysis.full, MLFLOW, hops=2))])
    assert pages[0] == pages[1]
    big = synthetic_graph(600)
    assert viz.graph_page(viz.full_view(big)) == viz.graph_page(viz.full_view(big.copy()))


def test_layouts_are_seeded_and_spread(shipped):
    big = synthetic_graph(2000)
    first, second = viz.layout(big), viz.layout(big)
    assert first == second
    assert len(set(first.values())) > 0.97 * len(first)  # nodes do not pile up
    assert viz.layout(big, seed=1) != first
    small = viz.layout(shipped[1].full)
    assert small == viz.layout(shipped[1].full) and len(small) == shipped[1].full.number_of_nodes()


def test_physics_is_off_above_the_threshold():
    limit = viz.PHYSICS_LIMIT
    at_limit = viz.full_view(synthetic_graph(limit))
    above = viz.full_view(synthetic_graph(limit + 1))
    assert at_limit.physics and at_limit.data()["options"]["physics"]["enabled"] is True
    assert not above.physics and above.data()["options"]["physics"] == {"enabled": False}
    assert above.data()["options"]["layout"]["improvedLayout"] is False


# --- offline and self-contained --------------------------------------------------------------

def _assert_offline(name, text):
    page = PageInspector(text)
    assert page.remote_references() == [], name
    for tag, attrs in page.tags:  # the stylesheet links and scripts that do load are relative
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            assert not re.match(r"^[a-z]+:", attrs.get("src") or attrs.get("href")), (name, attrs)
    lowered = text.lower()
    assert not [m for m in CDN_MARKERS if m in lowered], name
    policy = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "http" not in policy, name


def test_standalone_page_inlines_everything(shipped):
    text = viz.graph_page(viz.full_view(shipped[1].full))
    _assert_offline("full", text)
    page = PageInspector(text)
    scripts = [s for s in page.scripts if s["attrs"].get("type") != "application/json"]
    assert [s["attrs"].get("src") for s in scripts] == [None, None]
    assert "vis-network" in scripts[0]["text"][:400] and "mlopsKg" in scripts[1]["text"]
    assert not any(t == "link" for t, _a in page.tags)


def test_site_pages_are_offline_and_linked(built):
    site = built / "site"
    pages = sorted(site.rglob("*.html"))
    assert {"index.html", "graph.html", "clusters.html"} <= {p.name for p in pages}
    for path in pages:
        text = path.read_text(encoding="utf-8")
        _assert_offline(path.name, text)
        for tag, attrs in PageInspector(text).tags:  # every local link and asset exists
            ref = attrs.get("href") if tag in ("a", "link") else attrs.get("src") if tag == "script" else None
            if ref and not re.match(r"^[a-z]+:", ref):
                assert (path.parent / ref.split("#")[0]).resolve().is_file(), (path, ref)
    assert {p.name for p in (site / "assets").iterdir()} == {"vis-network.min.js", "graph.js", "index.js", "compare.js",
                                                                   "site.css"}
    assert not list(built.glob(".site.*")), "staging folder left behind"


def test_every_technology_has_a_page_listed_in_the_index(built, shipped):
    _ds, analysis = shipped
    paths = page_paths(analysis)
    index = (built / "site" / "index.html").read_text(encoding="utf-8")
    for iri, path in paths.items():
        assert (built / "site" / path).is_file()
        assert f'href="{path}"' in index
    assert len(set(paths.values())) == len(paths) == len(analysis.profiles)


def test_tool_page_content_and_provenance(built):
    page = (built / "site" / "tool" / "mlflow.html").read_text(encoding="utf-8")
    text = PageInspector(page).text
    for heading in ("Capabilities", "Stated alternatives", "Ranked substitutes", "Cloud equivalents",
                    "Languages and frameworks", "Industry use cases", "Every fact, with its origin", "Neighbourhood"):
        assert heading in text, heading
    assert "Amazon Web Services: Amazon SageMaker" in text and "Microsoft Azure: Azure Machine Learning" in text
    assert "MLflow in Finance (Finance)" in text
    assert re.search(r"Model registry<span class=\"origin origin-curated\"", page)      # curated fact
    assert re.search(r"Experiment tracking<span class=\"origin origin-guide\"", page)   # stated fact
    substitutes = page.split('id="substitutes"')[1].split("</table>")[0]
    links = re.findall(r'<a href="\.\./([^"]+)">([^<]+)</a>', substitutes)
    assert len(links) == 10 and ("tool/polyaxon.html", "Polyaxon") in links
    data = PageInspector(page).graph_data()
    assert data["center"] == MLFLOW and all(n["url"].startswith("../") for n in data["nodes"] if "url" in n)


# --- escaping --------------------------------------------------------------------------------

def test_markup_in_labels_is_text_in_every_page(xss_site, xss_prepared):
    ds, analysis = xss_prepared
    labels = {key: analysis.labels[iri] for key, iri in XSS.items()}
    pages = {p: t for p, t in xss_site.items() if p.endswith(".html")}
    pages["standalone.html"] = viz.graph_page(viz.full_view(analysis.full, origins=node_origins(ds)))
    for name, text in pages.items():
        without_data = re.sub(r'<script type="application/json" id="graph-data">.*?</script>', "", text, flags=re.S)
        for markup in XSS_MARKUP:
            assert markup not in text, (name, markup)
        page = PageInspector(text)
        assert page.event_handler_attributes() == [], name
        assert not [a for t, a in page.tags if t == "a" and "javascript:" in (a.get("href") or "").lower()], name
        ours = {viz.vis_network_js(), viz.asset_text("graph.js")}
        for script in page.scripts:  # only our scripts: assets, the JSON data, or (standalone) inlined assets
            attrs = script["attrs"]
            assert (attrs.get("type") == "application/json" and attrs.get("id") in ("graph-data", "compare-data")
                    or re.fullmatch(r"(\.\./)?assets/[a-z-]+(\.min)?\.js", attrs.get("src", ""))
                    or script["text"] in ours), (name, attrs, script["text"][:80])
        bare = text
        for asset in ours:
            bare = bare.replace(asset, "")
        assert bare.count("<script") == len(page.scripts), name
        assert "<script" not in without_data.split("<body>")[0], name
    tool_page = PageInspector(xss_site["tool/xss-script.html"])
    assert labels["script"] in tool_page.text  # shown literally, once unescaped by the parser
    assert "<img src=x onerror=alert('img')>" in tool_page.text
    assert "javascript:alert('licence')" in tool_page.text  # a non-http IRI is text, not a link
    nodes = {n["id"]: n for n in tool_page.graph_data()["nodes"]}
    assert nodes[XSS["script"]]["label"] == labels["script"]
    assert "</script><script>alert('desc')</script>" in nodes[XSS["script"]]["description"]
    assert PageInspector(xss_site["tool/xss-attr.html"]).text.count(labels["attr"]) >= 2
    index = PageInspector(xss_site["index.html"])
    assert labels["href"] in index.text
    compare = json.loads(re.search(r'id="compare-data">(.*?)</script>', xss_site["compare.html"], re.S).group(1))
    assert labels["script"] in {t["label"] for t in compare["tools"]}  # the JSON keeps the label; the page shows it as text


def test_script_json_cannot_close_the_script_element():
    text = markup.script_json({"a": "</script><script>alert(1)</script>", "b": "<!-- & -->", "c": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>", "b": "<!-- & -->", "c": "\u2028"}


def test_tooltips_are_plain_strings(xss_prepared):
    _ds, analysis = xss_prepared
    view = viz.substitutes_view(analysis)
    assert all(isinstance(e["title"], str) for e in view.edges)
    assert all(isinstance(n.get("description", ""), str) for n in view.nodes)
    assert "vis-tooltip" in viz.asset_text("site.css")
    assert all("innerHTML" not in viz.asset_text(name) for name in ("graph.js", "index.js", "compare.js"))


def test_only_the_page_module_touches_pyvis():
    src = Path(viz.__file__).parent
    users = sorted(p.name for p in src.glob("*.py") if re.search(r"^\s*(import|from)\s+pyvis", p.read_text(), re.M))
    assert users == []  # viz.py reads pyvis's vis-network build from disk; importing pyvis pulls in IPython
    assert "pyvis" in (src / "viz.py").read_text()
    assert viz.vis_network_js().lstrip().startswith("/**\n * vis-network")


# --- writing ---------------------------------------------------------------------------------

def test_cli_writes_only_what_it_is_asked(built, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["viz", "-o", "graph.html", "--build", str(built)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote graph.html (")
    result = runner.invoke(cli, ["viz", "--view", "substitutes", "--tool", "w&b", "--hops", "2", "-o", "wb.html",
                                 "--build", str(built)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["site", "-o", "site", "--build", str(built)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "site", "wb.html"]  # no lib/, no temp files
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")) == \
        sorted(p.relative_to(built / "site").as_posix() for p in (built / "site").rglob("*"))
    for page in (tmp_path / "site").rglob("*.html"):
        assert page.read_bytes() == (built / "site" / page.relative_to(tmp_path / "site")).read_bytes()
    data = PageInspector((tmp_path / "wb.html").read_text(encoding="utf-8")).graph_data()
    assert data["center"] == "https://w3id.org/mlops-kg/id/tool/weights-and-biases"
    assert {n["kind"] for n in data["nodes"]} <= {"tool", "service", "platform"}


def _one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert all(n in lines[0] for n in needles), lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args,needles", [
    (["viz", "--tool", "mlfow", "-o", "x.html"], ("unknown tool 'mlfow'", "Did you mean: MLflow")),
    (["viz", "--view", "cubist", "-o", "x.html"], ("unknown view 'cubist'", "full, substitutes")),
    (["viz", "--hops", "2", "-o", "x.html"], ("--hops needs --tool",)),
    (["viz", "--tool", "mlflow", "--hops", "-1", "-o", "x.html"], ("--hops must be 0 or more",)),
    (["viz", "-o", "missing/x.html"], ("folder missing does not exist",)),
    (["viz", "-o", "."], ("it is a folder",)),
    (["site", "-o", "missing/site"], ("folder missing does not exist",)),
    (["site", "-o", "mine"], ("not a mlops-kg site",)),
])
def test_bad_input_is_one_line_and_exit_2(built, monkeypatch, tmp_path, args, needles):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(cli, args + ["--build", str(built)])
    _one_line_error(result, *needles)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_read_only_folder_is_one_line_and_nothing_written(built, monkeypatch, tmp_path):
    import os

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: make the OS refuse the write instead
            def refuse(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied")
            monkeypatch.setattr(tempfile, "mkstemp", refuse)
            monkeypatch.setattr(tempfile, "mkdtemp", refuse)
        for args in (["viz", "-o", str(folder / "x.html")], ["site", "-o", str(folder / "site")]):
            result = CliRunner().invoke(cli, args + ["--build", str(built)])
            _one_line_error(result, "cannot write", str(folder))
            assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_failed_site_write_keeps_the_previous_site(shipped, monkeypatch, tmp_path):
    ds, analysis = shipped
    target = tmp_path / "site"
    write_site(target, ds, analysis)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    calls = {"n": 0}
    original = Path.write_text

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OutputError, match="No space left"):
        write_site(target, ds, analysis)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_write_page_is_atomic(tmp_path):
    target = tmp_path / "page.html"
    viz.write_page("<p>old</p>", target)
    with pytest.raises(OutputError):
        viz.write_page("<p>new</p>", tmp_path / "no" / "page.html")
    assert target.read_text() == "<p>old</p>" and sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_big_neighbourhoods_are_capped_nearest_first(monkeypatch):
    import networkx as nx

    from mlops_kg.pages import viz

    monkeypatch.setattr(viz, "MAX_NEIGHBOURHOOD", 10)
    g = nx.MultiDiGraph()
    center = "https://w3id.org/mlops-kg/id/tool/hub"
    g.add_node(center, kind="tool", label="Hub", description="")
    for i in range(30):  # 30 direct neighbours, each with one more node behind it
        near, far = f"https://w3id.org/mlops-kg/id/tool/n{i:02d}", f"https://w3id.org/mlops-kg/id/tool/f{i:02d}"
        for node in (near, far):
            g.add_node(node, kind="tool", label=node.rsplit("/", 1)[-1], description="")
        g.add_edge(center, near, key="p", predicate="p", relation="statedAlternative")
        g.add_edge(near, far, key="p", predicate="p", relation="statedAlternative")
    view = viz.neighbourhood_view(g, center, hops=2)
    ids = {n["id"] for n in view.nodes}
    assert len(ids) == 10 and center in ids
    assert all("/n" in i or i == center for i in ids), "the nearest nodes are kept first"
    assert "the nearest 10 of 61 nodes" in view.title


def test_site_into_a_folder_that_cannot_be_renamed_such_as_a_mount_point(shipped, monkeypatch, tmp_path):
    """A mount point (a container volume) cannot be renamed away (EBUSY): the site is written
    into it instead of refusing an empty, writable folder."""
    ds, analysis = shipped
    target = tmp_path / "volume"
    target.mkdir()
    original = Path.rename

    def busy(self, destination):
        if self == target:
            raise OSError(errno.EBUSY, "Device or resource busy")
        return original(self, destination)

    monkeypatch.setattr(Path, "rename", busy)
    for _twice in range(2):  # into the empty folder, then over the earlier site
        write_site(target, ds, analysis)
        assert (target / "index.html").is_file() and (target / "site.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["volume"]  # nothing left beside it


# --- imported guides: their descriptions show on pages, with their origin ----------------------

def test_imported_descriptions_show_on_tool_pages_and_in_tooltips():
    """The importer writes mlo:guideDescription; the tool page's header and the graph tooltips
    read only dcterms:description, so an imported tool showed no description at all."""
    from mlops_kg.build.pipeline import prepare

    ds, analysis = prepare(include=[Path(__file__).parent / "data" / "guide-small.md"], without=("landscape",))
    feast = "https://w3id.org/mlops-kg/id/tool/feast"
    words = "An open-source feature store that serves features for training and online inference."
    pages = site_pages(ds, analysis)
    page = pages[page_paths(analysis)[feast]]
    header = page[page.index("<h1>"):page.index("<h2>")]
    assert (f'<p>{words}<span class="origin origin-imported" title="imported from guide-small">imported</span></p>'
            in header)
    for path in (page_paths(analysis)[feast], "graph.html"):
        nodes = {n["id"]: n for n in PageInspector(pages[path]).graph_data()["nodes"]}
        assert nodes[feast]["description"] == f"{words} (imported from guide-small)", path
    mlflow = {n["id"]: n for n in PageInspector(pages["graph.html"]).graph_data()["nodes"]}[MLFLOW]
    assert mlflow["description"].startswith("Open-source platform")  # its own description, no origin added
