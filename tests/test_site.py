"""The static site reads what the build stored (issue 14): no second analysis, the same pages.

The pages come from Jinja2 templates with autoescaping; these tests check what that must keep:
the site the build writes and the site ``mlops-kg site`` writes later from the stored results
are the same bytes, no analysis runs when a build is read, and the templates ship with the package.
"""
from __future__ import annotations

import pytest

from mlops_kg.pages import markup, site as site_module
from mlops_kg.pages.site import as_stored, load_built, site_pages, stored_clusters
from mlops_kg.model.namespaces import GRAPHS


@pytest.fixture(scope="module")
def stored(built):
    return load_built(built)


def test_reading_a_build_runs_no_analysis(built, monkeypatch):
    import mlops_kg.analysis.centrality as centrality
    import mlops_kg.analysis.clusters as clusters
    import mlops_kg.analysis.result as result

    def refuse(*_args, **_kwargs):
        raise AssertionError("the pages analysed the graph again")

    for module, name in ((result, "analyze"), (centrality, "centrality"), (clusters, "clusters"),
                         (clusters, "louvain_igraph")):
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr("mlops_kg.analysis.substitutability.substitutability_graph", refuse)
    _ds, analysis = load_built(built)
    assert analysis.clusters and analysis.scores["pagerank"] and analysis.subst.number_of_edges()


def test_the_stored_analysis_is_the_one_the_build_made(dataset, stored):
    """Clusters, their numbering, PageRank and every substitute as ``analyze`` gives them."""
    from mlops_kg.analysis.result import analyze
    from mlops_kg.model.load import union_graph

    from mlops_kg.analysis.substitutability import graph_origins

    fresh = as_stored(analyze(union_graph(dataset), origins=graph_origins(dataset)))
    _ds, analysis = stored
    assert analysis.clusters == fresh.clusters
    assert analysis.scores == fresh.scores
    assert sorted(analysis.subst.edges(data="weight")) == sorted(fresh.subst.edges(data="weight"))
    for iri in sorted(analysis.profiles)[:10]:
        assert analysis.substitutes(iri, 10) == fresh.substitutes(iri, 10)


def test_clusters_are_numbered_as_the_analysis_numbers_them(stored):
    ds, analysis = stored
    again = stored_clusters(ds.graph(GRAPHS.ANALYSIS), analysis.profiles, analysis.labels)
    assert [c["id"] for c in again] == list(range(1, len(again) + 1))
    sizes = [len(c["members"]) for c in again]
    assert sizes == sorted(sizes, reverse=True)


def test_the_build_site_and_a_later_site_are_the_same_bytes(built, dataset, stored):
    """``mlops-kg build`` draws its site from the analysis it just made; ``mlops-kg site`` from
    the stored one: the files must not differ."""
    pages = site_pages(*stored)
    written = {p.relative_to(built / "site").as_posix(): p.read_text(encoding="utf-8")
               for p in (built / "site").rglob("*") if p.is_file()}
    assert set(pages) == set(written)
    different = [name for name in sorted(pages) if pages[name] != written[name]]
    assert not different


def test_a_build_without_its_analysis_is_reported_as_damaged(built, tmp_path):
    import shutil

    from mlops_kg.errors import MlopsKgError

    copy = tmp_path / "build"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns("site"))
    nq = copy / "mlops-kg.nq"
    nq.write_text("".join(line for line in nq.read_text(encoding="utf-8").splitlines(keepends=True)
                          if str(GRAPHS.ANALYSIS) not in line), encoding="utf-8")
    with pytest.raises(MlopsKgError, match="mlops-kg.nq.*no analysis.*mlops-kg build"):
        load_built(copy)


def test_templates_escape_as_html_escape_does():
    """One escaping for every page: quotes as ``&quot;``/``&#x27;`` (markupsafe's own would
    write ``&#34;``/``&#39;``), markup left alone."""
    env = markup.environment()
    text = env.from_string('<a title="{{ v }}">{{ v }}</a>{{ m }}').render(v="<\"'&>", m=markup.markup("<b>"))
    assert text == '<a title="&lt;&quot;&#x27;&amp;&gt;">&lt;&quot;&#x27;&amp;&gt;</a><b>'
    assert env.autoescape("page.html") is True


def test_every_page_template_is_in_the_package():
    from pathlib import Path

    names = {p.name for p in Path(site_module.__file__).with_name("templates").glob("*.html")}
    assert {"base.html", "macros.html", "graph_page.html", "index.html", "tool.html", "graph.html",
            "clusters.html"} <= names
    for name in sorted(names):
        markup.environment().get_template(name)  # parses
