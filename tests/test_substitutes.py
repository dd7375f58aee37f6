import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mlops_kg.cli import cli
from mlops_kg.errors import AmbiguousNameError, MlopsKgError, UnknownNameError
from mlops_kg.sources.resolve import Entry, Resolver
from mlops_kg.analysis.substitutes import find_substitutes, load_index

TRACKING = "https://w3id.org/mlops-kg/id/capability/experiment-tracking"
ORCHESTRATION = "https://w3id.org/mlops-kg/id/capability/workflow-orchestration"
SERVING = "https://w3id.org/mlops-kg/id/capability/model-serving"


@pytest.fixture(scope="module")
def index(built):
    return load_index(built)


def subs(index, name, **kw):
    return find_substitutes(index, name, **kw)


@pytest.mark.parametrize("name,label", [
    ("mlflow", "MLflow"), ("MLFLOW ", "MLflow"), ("W&B", "Weights & Biases"), ("w and b", "Weights & Biases"),
    ("kserve (formerly kfserving)", "KServe"), ("google ai platform", "Vertex AI"), ("apache airflow", "Apache Airflow"),
    ("airflow", "Apache Airflow"), ("Seldon", "Seldon Core"), ("AWS SageMaker", "Amazon SageMaker"),
    ("Google Vertex AI", "Vertex AI"), ("KServe (formerly KFServing)", "KServe"),
    ("TFX (TensorFlow Extended)", "TFX"), ("comet.ml", "Comet"),
])
def test_names_resolve_forgivingly(index, name, label):
    assert subs(index, name)["tool"]["label"] == label


def test_unknown_name_suggests(index):
    with pytest.raises(UnknownNameError) as info:
        subs(index, "mlfow")
    assert "MLflow" in info.value.suggestions


def test_ambiguous_name_lists_the_candidates():
    tech = "https://w3id.org/mlops-kg/ontology#Technology"
    resolver = Resolver({"urn:a": Entry("urn:a", "Google Flow", {"Google Flow"}, {tech}),
                         "urn:b": Entry("urn:b", "Amazon Flow", {"Amazon Flow"}, {tech})})
    with pytest.raises(AmbiguousNameError, match="'flow' matches several nodes: Amazon Flow, Google Flow"):
        resolver.resolve_iri("flow")


@pytest.mark.parametrize("tool,capability", [
    ("Weights & Biases", TRACKING), ("Comet", TRACKING), ("Neptune.ai", TRACKING),
    ("Apache Airflow", ORCHESTRATION), ("Luigi", ORCHESTRATION), ("Prefect", ORCHESTRATION),
    ("Seldon Core", SERVING), ("KServe", SERVING), ("BentoML", SERVING),
])
def test_substitutes_do_the_same_job(index, tool, capability):
    found = subs(index, tool, top=3)["substitutes"]
    assert len(found) == 3
    for s in found:
        assert capability in index["technologies"][s["iri"]]["capabilities"], (tool, s["label"])


def test_stated_alternative_ranks_above_a_tool_sharing_nothing(index):
    ranked = [s["label"] for s in subs(index, "dvc", top=50)["substitutes"]]
    assert "Git LFS" in ranked[:3]
    assert "Kubernetes" not in ranked  # shares nothing with DVC


def test_scores_are_directional_by_kind(index):
    """An end-to-end platform can stand in for an experiment tracker more than the reverse."""
    techs = index["technologies"]
    score = {(a, b): w for a, rows in index["substitutes"].items() for b, w, _r in rows}
    assert score
    stand_in = [(a, b) for (a, b) in score if (b, a) in score
                and techs[a].get("tech_kind", "").endswith("/experiment-tracker")
                and techs[b].get("tech_kind", "").endswith("/end-to-end-platform")]
    assert stand_in
    for a, b in stand_in:
        assert score[(a, b)] > score[(b, a)], (a, b)


def test_own_kind_first(landscape_built):
    """The acceptance checks of issue 16 on the default (landscape) build: these tools get
    their own kind first; MLflow's top 3 are experiment trackers."""
    index = load_index(landscape_built)
    for name in ("TFX", "Kubeflow", "DVC", "Kedro", "Seldon Core", "W&B", "Comet", "Hopsworks"):
        answer = subs(index, name, top=1)
        assert answer["substitutes"][0]["kind"] == answer["tool"]["kind"], name
    assert [s["kind"] for s in subs(index, "mlflow", top=3)["substitutes"]] == ["Experiment tracker"] * 3


@pytest.fixture(scope="module")
def landscape_index(landscape_built):
    return load_index(landscape_built)


def test_commercial_platforms_get_platforms_and_products_first(landscape_index):
    """Issue 16: Databricks, Dataiku, DataRobot and Domino get end-to-end platforms, most of them
    commercial or managed (the open catalogues' listings no longer outweigh them)."""
    techs = landscape_index["technologies"]
    for name in ("Databricks", "Dataiku", "DataRobot MLOps", "Domino Data Lab"):
        top = subs(landscape_index, name, top=3)["substitutes"]
        assert [s["kind"] for s in top] == ["End-to-end ML platform"] * 3, name
        products = [s["label"] for s in top if not techs[s["iri"]].get("osi")]
        assert len(products) >= 2, (name, [s["label"] for s in top])


def test_general_ml_libraries_before_domain_libraries(landscape_index):
    """XGBoost's and scikit-learn's substitutes are general learning libraries, not an NLP,
    graph or recommender library (the domain ML library kind)."""
    for name in ("XGBoost", "scikit-learn"):
        top = subs(landscape_index, name, top=3)["substitutes"]
        assert [s["kind"] for s in top] == ["ML library"] * 3, (name, [s["label"] for s in top])


def test_retired_tools_are_left_out_unless_asked_and_flagged(landscape_index):
    index = landscape_index
    techs = index["technologies"]
    retired = {iri for iri, t in techs.items() if t.get("status") in ("archived", "sunset") or t.get("successors")}
    assert retired
    for name in ("Seldon Core", "MLflow", "Amazon SageMaker", "Comet", "KServe"):
        found = subs(index, name, top=5)["substitutes"]
        assert not {s["iri"] for s in found} & retired, name
        assert all("status" in s for s in found)
    every = subs(index, "Seldon Core", top=50, include_inactive=True)
    assert every["filters"]["include_inactive"] is True
    assert {s["iri"] for s in every["substitutes"]} & retired  # Cortex and the like, when asked


def test_a_retired_query_says_its_successor_first(landscape_index):
    index = landscape_index
    techs = index["technologies"]
    old = sorted(iri for iri, t in techs.items() if t.get("successors"))
    assert old
    for iri in old:
        answer = subs(index, iri)
        first = answer["tool"]["successors"][0]["iri"]
        if answer["substitutes"]:
            assert answer["substitutes"][0]["iri"] == first or techs[first].get("successors"), iri
            assert answer["substitutes"][0]["reasons"][0].startswith("its successor") or techs[first].get("successors")


def test_ties_are_broken_by_label(index):
    found = subs(index, "apache airflow", top=10)["substitutes"]
    for x, y in zip(found, found[1:]):
        assert (-x["score"], x["label"].lower()) <= (-y["score"], y["label"].lower())


def test_reasons_name_the_evidence_and_its_source(index):
    found = {s["label"]: s for s in subs(index, "W&B", top=5)["substitutes"]}
    reasons = found["Comet"]["reasons"]
    assert reasons[0] == "stated substitute (curated; guide)"
    assert "same kind: experiment tracker (curated)" in reasons
    assert any(r.startswith("same primary capability: experiment tracking (") for r in reasons)


def test_reasons_name_the_catalogues(landscape_index):
    listed = [r for s in subs(landscape_index, "KServe", top=5)["substitutes"] for r in s["reasons"]
              if r.startswith("both listed under ")]
    assert listed and all(" by " in r for r in listed)  # names the catalogue


def test_filters(index):
    techs = index["technologies"]
    yaml = "https://w3id.org/mlops-kg/id/language/yaml"
    assert all(yaml in techs[s["iri"]]["languages"] for s in subs(index, "mlflow", language="yaml")["substitutes"])
    azure = "https://w3id.org/mlops-kg/id/provider/microsoft-azure"
    found = subs(index, "airflow", provider="azure")["substitutes"]
    assert found and all(azure in techs[s["iri"]]["providers"] for s in found)
    assert "Azure Data Factory" in {s["label"] for s in found}
    found = subs(index, "sagemaker", open_source=True)["substitutes"]
    assert found and all(techs[s["iri"]]["osi"] is True for s in found)  # an OSI-approved licence
    aws = "https://w3id.org/mlops-kg/id/provider/amazon-web-services"
    found = subs(index, "mlflow", offered_by="aws")["substitutes"]
    assert found and all(aws in techs[s["iri"]]["offered_by"] for s in found)
    found = subs(index, "mlflow", equivalent_on="aws")["substitutes"]
    assert all(aws in techs[s["iri"]]["equivalent_on"] for s in found)
    either = {s["iri"] for s in subs(index, "mlflow", provider="aws", top=50)["substitutes"]}
    assert either >= {s["iri"] for s in subs(index, "mlflow", offered_by="aws", top=50)["substitutes"]}
    found = subs(index, "mlflow", capability="experiment tracking")
    assert found["filters"]["capability"] == "Experiment tracking"
    assert found["substitutes"] and all(TRACKING in techs[s["iri"]]["capabilities"] for s in found["substitutes"])
    found = subs(index, "mlflow", kind="end-to-end ML platform", top=3)
    assert found["substitutes"] and all(s["kind"] == "End-to-end ML platform" for s in found["substitutes"])
    assert subs(index, "mlflow", kind="end-to-end-platform", top=3) == found
    with pytest.raises(MlopsKgError, match="unknown kind 'spaceship'; known kinds: .*experiment-tracker"):
        subs(index, "mlflow", kind="spaceship")
    found = subs(index, "airflow", managed=True)["substitutes"]
    assert {s["label"] for s in found} >= {"Google Cloud Composer", "Azure Data Factory"}
    found = subs(index, "mlflow", industry="healthcare", top=20)["substitutes"]
    health = "https://w3id.org/mlops-kg/id/industry/healthcare"
    used = [s for s in found if "industry" not in s]
    unknown = [s for s in found if s.get("industry") == "unknown"]
    assert used and all(health in techs[s["iri"]]["industries"] for s in used)
    assert unknown and all(not techs[s["iri"]]["industries"] for s in unknown)  # said, not dropped
    assert found == used + unknown


@pytest.mark.parametrize("kw,message", [
    ({"top": 0}, "--top must be at least 1, got 0"),
    ({"top": -3}, "--top must be at least 1, got -3"),
    ({"language": "cobol"}, "unknown language 'cobol'"),
    ({"open_source": True, "managed": True}, "exclude each other"),
])
def test_bad_options(index, kw, message):
    with pytest.raises(MlopsKgError, match=message):
        subs(index, "mlflow", **kw)


def run(args, built):
    return CliRunner().invoke(cli, ["substitutes", *args, "--build", str(built)])


def test_cli_table(built):
    result = run(["mlflow"], built)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Substitutes for MLflow:" and lines[1].split()[:3] == ["#", "substitute", "score"]
    assert len(lines) == 2 + 5 and "stated substitute" in result.output


def test_cli_json_shape(built):
    doc = json.loads(run(["W&B", "--format", "json", "--top", "2"], built).output)
    assert {k: doc["tool"][k] for k in ("label", "iri")} == {
        "label": "Weights & Biases", "iri": "https://w3id.org/mlops-kg/id/tool/weights-and-biases"}
    assert doc["tool"]["kind"] == "Experiment tracker" and doc["tool"]["successors"] == []
    assert [set(s) for s in doc["substitutes"]] == [{"label", "iri", "score", "reasons", "status", "kind"}] * 2


@pytest.mark.parametrize("args,message", [
    (["  "], "error: empty tool name"),
    (["mlfow"], "error: unknown tool 'mlfow'. Did you mean: MLflow"),
    (["mlflow", "--top", "0"], "error: --top must be at least 1, got 0"),
    (["mlflow", "--provider", "ibm cloud"], "error: unknown provider 'ibm cloud'"),
])
def test_cli_bad_input_one_line_exit_2(built, args, message):
    result = run(args, built)
    assert result.exit_code == 2
    assert result.output.startswith(message) and len(result.output.strip().splitlines()) == 1, result.output


def test_cli_no_substitutes_is_said_and_exit_0(built):
    result = run(["kubernetes", "--language", "r"], built)
    assert result.exit_code == 0
    assert result.output.strip() == "No substitutes found for Kubernetes with language=R."


HEAVY = ("rdflib", "pyshacl", "pyvis", "networkx", "jinja2", "numpy", "scipy", "igraph", "yaml", "pyoxigraph",
         "_hashlib", "dataclasses", "mlops_kg.sources", "mlops_kg.query", "mlops_kg.pages")


@pytest.mark.parametrize("args", [["mlflow"], ["W&B", "--language", "python", "--provider", "azure", "--format", "json"]])
def test_fast_path_does_not_import_rdflib_or_parse_turtle(built, args):
    """Nothing heavy on the path of a known name: no rdflib, graph or page libraries, not even
    OpenSSL (hashlib) or the full name resolver (its dataclasses)."""
    code = (f"import sys; from mlops_kg.cli import main; sys.argv = ['mlops-kg', 'substitutes', *{args!r}, "
            f"'--build', {str(built)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in sys.modules if m.startswith({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "MLflow" in out or "Weights & Biases" in out
    assert out.strip().splitlines()[-1] == "LOADED []"


def test_stale_build_is_rebuilt(built, tmp_path):
    import shutil

    copy = tmp_path / "b"
    shutil.copytree(built, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["inputs"]["graph/guide-tools.ttl"] = "0" * 64  # as if an input changed since
    (copy / "manifest.json").write_text(json.dumps(manifest))
    (copy / "index.json").write_text('{"version": 1, "names": {}, "technologies": {}, "substitutes": {}}')
    result = run(["mlflow"], copy)
    assert result.exit_code == 0, result.output
    assert "Substitutes for MLflow" in result.output
    assert "graph/guide-tools.ttl" not in json.loads((copy / "manifest.json").read_text())["inputs"]


def test_every_substitute_has_direct_evidence(index):
    """Sharing only a language or an industry never makes a substitute (README promise)."""
    light = ("both use ", "both used in ")
    for rows in index["substitutes"].values():
        for _other, _w, reasons in rows:
            assert any(not r.startswith(light) for r in reasons), reasons


@pytest.mark.parametrize("kw,message", [
    ({"name": "Python"}, "unknown tool 'Python': it is the language 'Python', not a tool."),
    ({"name": "mlflow", "provider": "ibm"}, "known providers: Amazon Web Services, Google Cloud, Microsoft Azure"),
    ({"name": "mlflow", "provider": ""}, "empty provider name; give a name such as 'azure'"),
])
def test_helpful_name_errors(index, kw, message):
    name = kw.pop("name")
    with pytest.raises(MlopsKgError) as info:
        subs(index, name, **kw)
    assert message in str(info.value)


def test_a_filtered_answer_says_when_weaker_candidates_were_not_searched(index, monkeypatch):
    import mlops_kg.analysis.substitutes as subs

    full = find_substitutes(index, "mlflow", top=50, language="r")
    assert "searched" not in full  # every indexed candidate of MLflow was searched
    monkeypatch.setattr(subs, "MAX_PER_TOOL", 3)  # as if the index kept only 3 per tool
    capped = find_substitutes(index, "mlflow", top=50, language="r")
    assert capped["searched"] >= 3 and capped["substitutes"] == full["substitutes"]
    assert "searched" not in find_substitutes(index, "mlflow", top=2)  # no filter: nothing hidden


def test_cli_notes_unsearched_candidates_on_stderr(built, monkeypatch):
    import mlops_kg.analysis.substitutes as subs

    monkeypatch.setattr(subs, "MAX_PER_TOOL", 3)
    result = run(["mlflow", "--language", "r", "--top", "50"], built)
    assert result.exit_code == 0, result.output
    assert "weaker ones were not searched" in result.stderr
    assert "weaker ones" not in result.stdout


# --- the index file: looked up line by line, not parsed whole (issue 15) ----------------------

def test_the_index_file_is_one_json_document_with_the_dicts_content(built, index):
    """json.load reads the file whole; its mapping view gives make_index's dict back."""
    from mlops_kg.analysis.substitutes import SubstitutesIndex, index_bytes

    data = (built / "index.json").read_bytes()
    doc = json.loads(data)
    assert set(doc) == {"index", "names", "keys", "technologies", "substitutes"}
    assert isinstance(index, SubstitutesIndex) and set(index) == {"version", "names", "technologies", "substitutes"}
    again = {key: index[key] for key in index}
    assert index_bytes(again) == data  # the layout is a function of the content: same bytes


def test_a_lookup_reads_only_the_lines_it_needs(built, monkeypatch):
    from mlops_kg.analysis.substitutes import SubstitutesIndex

    def whole(self, name):
        raise AssertionError(f"the {name} section was read whole")

    monkeypatch.setattr(SubstitutesIndex, "_section", whole)
    answer = find_substitutes(load_index(built), "W&B", top=3, language="python", provider="azure",
                              industry="healthcare")
    assert answer["tool"]["label"] == "Weights & Biases"
    with pytest.raises(AssertionError, match="names section"):  # an unknown name needs every name
        find_substitutes(load_index(built), "mlfow")


def test_the_fast_lookup_resolves_every_name_as_the_full_resolver_does(index):
    """Every name and alias of every node, in a few spellings, as each kind the command asks
    for: the one-block look-up gives the full resolver's answer, or leaves it to it."""
    from mlops_kg.analysis.substitutes import _resolve

    view = index
    resolver = view.resolver()
    names = {name for entry in index["names"].values() for name in entry["names"]}
    spellings = {variant for name in names for variant in (name, name.upper(), f"  {name.lower()} ")}
    for kinds in (("tool",), ("language", "framework"), ("industry",), ("provider",)):
        for name in sorted(spellings):
            try:
                expected = _resolve(resolver, name, kinds)
            except MlopsKgError as exc:
                expected = type(exc)
            try:
                got = view.resolve(name, kinds)[0]
            except MlopsKgError as exc:
                got = type(exc)
            assert got == expected, (name, kinds)


def test_the_dict_and_the_file_answer_alike(built, index):
    from mlops_kg.analysis.substitutes import SubstitutesIndex

    as_dict = {key: index[key] for key in index}
    assert not isinstance(as_dict, SubstitutesIndex)
    for name, kw in [("mlflow", {}), ("airflow", {"provider": "azure", "top": 10}), ("W&B", {"language": "r"}),
                     ("KServe (formerly KFServing)", {"open_source": True}), ("sagemaker", {"managed": True})]:
        assert find_substitutes(as_dict, name, **kw) == find_substitutes(index, name, **kw)


@pytest.mark.parametrize("damage", ["cut", "old", "header", "offset"])
def test_a_damaged_index_file_is_the_clear_error(built, tmp_path, damage):
    import shutil

    from mlops_kg.errors import DataFileError

    copy = tmp_path / "b"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns("site"))
    path = copy / "index.json"
    data = path.read_bytes()
    if damage == "cut":
        data = data[: len(data) // 2]
    elif damage == "old":  # the format of version 1: one indented JSON object
        data = json.dumps({"version": 1, "names": {}, "technologies": {}, "substitutes": {}}, indent=1).encode()
    elif damage == "header":
        data = b'{"index": {"version": 2,\n' + data.split(b"\n", 1)[1]
    else:  # same size, but a line moved: an offset lands inside a line
        head, body = data.split(b"\n", 1)
        data = head + b"\n" + body[7:] + body[:7]
    path.write_bytes(data)
    with pytest.raises(DataFileError, match=r"index\.json: damaged or incomplete build file.*run `mlops-kg build"):
        find_substitutes(load_index(copy), "mlflow", language="python")


def test_prominence_vouches_for_products_only_where_catalogues_could_not():
    from mlops_kg.analysis.substitutability import PRODUCT_ORIGINS, PROMINENCE, Profile, prominence

    product = Profile("tool/p", "P", "tool", origins={("described", ""): ["curated"]})
    project = Profile("tool/o", "O", "tool", osi=True, origins={("described", ""): ["curated"]})
    assert prominence(product) == pytest.approx(1 + PROMINENCE * (PRODUCT_ORIGINS - 1))
    assert prominence(project) == prominence(product, catalogues=0) == 1.0


def test_a_candidate_of_kind_other_is_unlike_a_kinded_query():
    from mlops_kg.analysis.substitutability import KIND_FACTORS, Profile, kind_factor

    table = Profile("t/a", "A", "tool", tech_kind="kind/table-format")
    database = Profile("t/b", "B", "tool", tech_kind="kind/other")
    assert kind_factor(table, database) == KIND_FACTORS["unlike"]
    assert kind_factor(database, table) == KIND_FACTORS["other"]
