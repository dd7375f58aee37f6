"""`mlops-kg compare` and the site's compare page (issue 16 item 8): facts side by side with
their origins, what each tool lacks that another has, clear errors, the same bytes every time."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from mlops_kg.analysis.compare import (MLO, SCHEMA, compare_build, compare_facts, comparison_text, resolve_tools)
from mlops_kg.analysis.substitutes import load_index
from mlops_kg.cli import cli
from mlops_kg.errors import MlopsKgError

ID = "https://w3id.org/mlops-kg/id/"
MLFLOW, WANDB, COMET = ID + "tool/mlflow", ID + "tool/weights-and-biases", ID + "tool/comet"
TRACKING, SERVING, TUNING = (ID + "capability/" + c for c in ("experiment-tracking", "model-serving",
                                                               "hyperparameter-tuning"))
APACHE = "https://spdx.org/licenses/Apache-2.0"


# --- the comparison, from facts ------------------------------------------------------------

def _u(iri):
    return URIRef(iri)


A, B, C = "urn:t:a", "urn:t:b", "urn:t:c"
FACTS = [
    (_u(A), _u(MLO + "hasCapability"), _u(TRACKING), "guide"),
    (_u(A), _u(MLO + "hasCapability"), _u(TRACKING), "catalogue:lfai"),
    (_u(A), _u(MLO + "hasCapability"), _u(SERVING), "curated"),
    (_u(A), _u(MLO + "primaryCapability"), _u(TRACKING), "curated"),
    (_u(B), _u(MLO + "hasCapability"), _u(TRACKING), "inferred"),
    (_u(B), _u(MLO + "hasCapability"), _u(TUNING), "catalogue:cncf"),
    (_u(A), _u(SCHEMA + "license"), _u(APACHE), "catalogue:lfai"),
    (_u(B), _u(MLO + "archived"), Literal(True), "catalogue:cncf"),
    (_u(A), _u(MLO + "starCount"), Literal(900), "catalogue:lfai"),
    (_u(A), _u(MLO + "starCount"), Literal(1200), "catalogue:best-of-ml-python"),
    (_u(A), _u(MLO + "latestReleaseDate"), Literal("2025-01-02"), "catalogue:lfai"),
    (_u(A), _u(MLO + "latestReleaseDate"), Literal("2025-06-01"), "catalogue:best-of-ml-python"),
    (_u(A), _u("urn:p:unrelated"), Literal("x"), "guide"),
]
LABELS = {A: "Alpha", B: "Beta", C: "Gamma", TRACKING: "Experiment tracking", SERVING: "Model serving",
          TUNING: "Hyperparameter tuning"}
NODES = {APACHE: {"http://purl.org/dc/terms/identifier": [Literal("Apache-2.0")],
                  MLO + "osiApproved": [Literal(True)]}}


@pytest.fixture(scope="module")
def synthetic():
    return compare_facts([A, B, C], FACTS, labels=LABELS, nodes=NODES)


def test_each_tool_lacks_what_another_has_and_names_who_has_it(synthetic):
    alpha, beta, gamma = synthetic["tools"]
    assert [(c["label"], c["had_by"]) for c in alpha["lacks"]] == [("Hyperparameter tuning", ["Beta"])]
    assert [(c["label"], c["had_by"]) for c in beta["lacks"]] == [("Model serving", ["Alpha"])]
    assert [c["label"] for c in gamma["lacks"]] == ["Experiment tracking", "Hyperparameter tuning", "Model serving"]
    assert synthetic["capabilities"]["Experiment tracking"] == {"iri": TRACKING, "has": ["Alpha", "Beta"],
                                                                "lacks": ["Gamma"]}
    assert synthetic["shared"] == []


def test_facts_keep_their_origins_and_the_primary_capability_is_marked(synthetic):
    alpha = synthetic["tools"][0]
    tracking = next(c for c in alpha["capabilities"] if c["iri"] == TRACKING)
    assert tracking["sources"] == ["guide", "catalogue:lfai"] and tracking["primary"] is True
    assert alpha["primary_capability"]["label"] == "Experiment tracking"
    assert alpha["licences"] == [{"spdx": "Apache-2.0", "iri": APACHE, "osi_approved": True,
                                  "sources": ["catalogue:lfai"]}]


def test_a_primary_capability_stated_alone_is_one_the_tool_has():
    # mlo:primaryCapability is a sub-property of mlo:hasCapability: a tool whose primary capability
    # is stated without a hasCapability triple must not "lack" it
    facts = [(_u(A), _u(MLO + "primaryCapability"), _u(SERVING), "curated"),
             (_u(B), _u(MLO + "hasCapability"), _u(SERVING), "catalogue:lfai")]
    alpha, beta = compare_facts([A, B], facts, labels=LABELS, nodes=NODES)["tools"]
    assert [(c["iri"], c["primary"], c["sources"]) for c in alpha["capabilities"]] == [(SERVING, True, ["curated"])]
    assert alpha["lacks"] == [] and beta["lacks"] == []


def test_the_highest_star_count_and_latest_release_win(synthetic):
    alpha = synthetic["tools"][0]
    assert alpha["stars"] == {"value": 1200, "sources": ["catalogue:best-of-ml-python"]}
    assert alpha["latest_release"]["value"] == "2025-06-01"


def test_an_archived_repository_is_a_status_and_unknown_facts_are_empty(synthetic):
    beta, gamma = synthetic["tools"][1:]
    assert beta["status"]["label"] == "archived" and beta["status"]["sources"] == ["catalogue:cncf"]
    assert gamma["kind"] is None and gamma["status"] is None and gamma["licences"] == [] and gamma["stars"] is None
    assert {c["id"] for c in synthetic["tools"][0]["catalogues"]} == {"lfai", "best-of-ml-python"}


def test_the_text_table_shows_marks_unknowns_and_lacks(synthetic):
    text = comparison_text(synthetic)
    assert re.search(r"^licence\s+Apache-2\.0 \(OSI\) \[k\]\s+—\s+—$", text, re.M), text
    assert re.search(r"^Experiment tracking\s+★ \[g,k\]\s+✓ \[i\]\s+✗$", text, re.M), text
    assert "Beta lacks: Model serving" in text and "Alpha lacks: Hyperparameter tuning" in text


def test_the_comparison_does_not_depend_on_the_order_of_the_facts():
    shuffled = list(FACTS)
    random.Random(7).shuffle(shuffled)
    first = compare_facts([A, B, C], FACTS, labels=LABELS, nodes=NODES)
    again = compare_facts([A, B, C], shuffled, labels=LABELS, nodes=NODES)
    assert json.dumps(first, sort_keys=False) == json.dumps(again, sort_keys=False)
    assert comparison_text(first) == comparison_text(again)


# --- names ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(built):
    return load_index(built)


def test_names_resolve_as_substitutes_resolves_them(index):
    assert resolve_tools(index, ["MLFLOW", "W&B", "comet.ml"]) == [MLFLOW, WANDB, COMET]


@pytest.mark.parametrize("names,message", [
    (["mlflow", "mlfow"], "Did you mean: MLflow"),
    (["mlflow"], "at least two tools"),
    (["mlflow", "MLflow "], "both name MLflow"),
    (["mlflow", "python"], "it is the language 'Python', not a tool"),
])
def test_bad_names_are_one_clear_error(index, names, message):
    with pytest.raises(MlopsKgError, match=re.escape(message)):
        resolve_tools(index, names)


# --- the real build --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mlflow_wandb_comet(landscape_built):
    return compare_build(landscape_built, ["mlflow", "wandb", "comet"])


def test_mlflow_wandb_and_comet_side_by_side(mlflow_wandb_comet):
    mlflow, wandb, comet = mlflow_wandb_comet["tools"]
    assert [t["label"] for t in (mlflow, wandb, comet)] == ["MLflow", "Weights & Biases", "Comet"]
    assert {t["kind"]["label"] for t in (mlflow, wandb, comet)} == {"Experiment tracker"}
    assert {t["primary_capability"]["iri"] for t in (mlflow, wandb, comet)} == {TRACKING}
    assert [(lic["spdx"], lic["osi_approved"]) for lic in mlflow["licences"]] == [("Apache-2.0", True)]
    assert "guide" in next(c for c in mlflow["capabilities"] if c["iri"] == TRACKING)["sources"]
    # the guide says MLflow serves models; neither W&B nor Comet does
    assert mlflow_wandb_comet["capabilities"]["Model serving"]["has"] == ["MLflow"]
    assert any(c["iri"] == SERVING and c["had_by"] == ["MLflow"] for c in comet["lacks"])
    assert mlflow["stars"]["value"] > 10000 and mlflow["stars"]["sources"][0].startswith("catalogue:")
    assert {"lfai", "best-of-ml-python"} <= {c["id"] for c in mlflow["catalogues"]}
    assert next(c for c in mlflow["catalogues"] if c["id"] == "lfai")["title"] == "LF AI & Data landscape"
    assert {e["label"] for e in mlflow["cloud_equivalents"]} >= {"Amazon SageMaker", "Vertex AI"}
    sagemaker = next(e for e in mlflow["cloud_equivalents"] if e["label"] == "Amazon SageMaker")
    assert sagemaker["providers"] == ["Amazon Web Services"]


# --- the command -----------------------------------------------------------------------------

def test_cli_table_and_json(built):
    runner = CliRunner()
    table = runner.invoke(cli, ["compare", "mlflow", "W&B", "--build", str(built)])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["MLflow", "Weights", "&", "Biases"]
    assert "Weights & Biases lacks:" in table.output and "★" in table.output
    as_json = runner.invoke(cli, ["compare", "mlflow", "W&B", "--format", "json", "--build", str(built)])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert [t["iri"] for t in data["tools"]] == [MLFLOW, WANDB] and "capabilities" in data
    again = runner.invoke(cli, ["compare", "mlflow", "W&B", "--format", "json", "--build", str(built)])
    assert again.output == as_json.output


@pytest.mark.parametrize("args", [["mlflow", "mlfow"], ["mlflow"], ["mlflow", "mlflow"]])
def test_cli_bad_names_exit_2_with_one_line(built, args):
    result = CliRunner().invoke(cli, ["compare", *args, "--build", str(built)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output


# --- the site page ---------------------------------------------------------------------------

def _page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="compare-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_site_has_a_compare_page_linked_from_the_index_and_tool_pages(built):
    site = Path(built) / "site"
    html = (site / "compare.html").read_text(encoding="utf-8")
    data = _page_data(html)
    index = load_index(built)
    assert len(data["tools"]) == len(index["technologies"])
    mlflow = next(t for t in data["tools"] if t["id"] == "tool/mlflow")
    assert mlflow["href"] == "tool/mlflow.html" and (site / mlflow["href"]).exists()
    assert mlflow["cells"]["kind"] == "Experiment tracker [c]"
    capabilities = [c[0] for c in data["capabilities"]]
    assert any(capabilities[i] == TRACKING and mark.startswith("★") for i, mark in mlflow["caps"])
    assert 'src="assets/compare.js"' in html and (site / "assets" / "compare.js").exists()
    assert 'href="compare.html"' in (site / "index.html").read_text(encoding="utf-8")
    tool = (site / "tool" / "mlflow.html").read_text(encoding="utf-8")
    top3 = [iri[len(ID):] for iri, _w, _r in index["substitutes"][MLFLOW][:3]]
    assert f'href="../compare.html#tools=tool/mlflow,{",".join(top3)}"' in tool


def test_the_page_shows_the_same_cells_as_the_command(built):
    data = _page_data((Path(built) / "site" / "compare.html").read_text(encoding="utf-8"))
    result = compare_build(built, ["mlflow", "comet"])
    by_id = {t["id"]: t for t in data["tools"]}
    from mlops_kg.analysis.compare import TABLE_ROWS, cell_text

    for record, token in zip(result["tools"], ("tool/mlflow", "tool/comet")):
        cells = {field: by_id[token]["cells"].get(field, "—") for field, _ in TABLE_ROWS}
        assert cells == {field: cell_text(record, field) for field, _ in TABLE_ROWS}


# --- the page in a browser (needs chromium and playwright, as tests/test_browser.py) ---------

from tests.test_browser import CHROMIUM, browser, shots, sync_playwright, visit  # noqa: E402,F401  (fixtures)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() or sync_playwright is None,
                    reason="needs Debian's chromium at /usr/bin/chromium and playwright from pip")
def test_compare_page_in_a_browser(browser, shots, built):
    with visit(browser, Path(built) / "site" / "tool" / "mlflow.html", shots, "site-compare") as v:
        page = v.page
        page.click("a.compare-link")
        page.wait_for_function("() => window.mlopsKgCompare && mlopsKgCompare.ready === true")
        shown = page.evaluate("mlopsKgCompare.shown")
        assert shown[0] == "tool/mlflow" and len(shown) == 4
        assert page.locator("table.compare thead th a").first.inner_text() == "MLflow"
        page.click("#compare-chosen li:nth-child(2) button")  # remove one, then add Comet by name
        page.wait_for_function("() => mlopsKgCompare.shown.length === 3")
        # Kubeflow, a platform, is never among MLflow's top substitutes, so it is not shown yet
        page.fill("#compare-pick", "kubeflow")
        page.press("#compare-pick", "Enter")
        page.wait_for_function("() => mlopsKgCompare.shown.length === 4")
        assert page.evaluate("mlopsKgCompare.shown")[-1] == "tool/kubeflow"
        assert "Kubeflow lacks:" in page.inner_text(".compare-lacks")
        v.assert_clean()


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() or sync_playwright is None,
                    reason="needs Debian's chromium at /usr/bin/chromium and playwright from pip")
def test_index_offers_to_compare_two_to_four_shown_tools(browser, shots, built):
    with visit(browser, Path(built) / "site" / "index.html", shots, "site-index-compare") as v:
        page = v.page
        page.wait_for_function("() => window.mlopsKgIndex && mlopsKgIndex.ready === true")
        assert not page.is_visible("#compare-shown")
        offered = 0
        for word in ("mlflow", "kubeflow", "sagemaker", "azure", "google", "seldon"):
            page.fill("#tool-filter", word)
            shown = page.evaluate("mlopsKgIndex.shown")
            assert page.is_visible("#compare-shown") == (2 <= shown <= 4), word
            if 2 <= shown <= 4:
                offered += 1
                tools = page.eval_on_selector_all("#tools tbody tr:not([hidden])",
                                                  "rows => rows.map(r => r.getAttribute('data-tool'))")
                assert page.get_attribute("#compare-shown", "href") == "compare.html#tools=" + ",".join(tools)
        assert offered, "no word left two to four tools: pick others"
        v.assert_clean()
