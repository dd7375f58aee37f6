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


def test_scores_are_symmetric(index):
    score = {(a, b): w for a, rows in index["substitutes"].items() for b, w, _r in rows}
    assert score
    for (a, b), w in score.items():
        if (b, a) in score:
            assert score[(b, a)] == w


def test_ties_are_broken_by_label(index):
    found = subs(index, "apache airflow", top=10)["substitutes"]
    for x, y in zip(found, found[1:]):
        assert (-x["score"], x["label"].lower()) <= (-y["score"], y["label"].lower())


def test_reasons_name_the_evidence(index):
    found = {s["label"]: s for s in subs(index, "W&B", top=5)["substitutes"]}
    assert found["Comet"]["reasons"][:2] == ["stated alternative",
                                            "shares experiment tracking, experiment visualization"]


def test_filters(index):
    techs = index["technologies"]
    yaml = "https://w3id.org/mlops-kg/id/language/yaml"
    assert all(yaml in techs[s["iri"]]["languages"] for s in subs(index, "mlflow", language="yaml")["substitutes"])
    azure = "https://w3id.org/mlops-kg/id/provider/microsoft-azure"
    found = subs(index, "airflow", provider="azure")["substitutes"]
    assert found and all(azure in techs[s["iri"]]["providers"] for s in found)
    assert "Azure Data Factory" in {s["label"] for s in found}
    found = subs(index, "sagemaker", open_source=True)["substitutes"]
    assert found and all("OpenSource" in techs[s["iri"]]["delivery"] for s in found)
    found = subs(index, "airflow", managed=True)["substitutes"]
    assert {s["label"] for s in found} >= {"Google Cloud Composer", "Azure Data Factory"}
    found = subs(index, "mlflow", industry="healthcare", top=20)["substitutes"]
    health = "https://w3id.org/mlops-kg/id/industry/healthcare"
    assert found and all(health in techs[s["iri"]]["industries"] for s in found)


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
    assert len(lines) == 2 + 5 and "stated alternative" in result.output


def test_cli_json_shape(built):
    doc = json.loads(run(["W&B", "--format", "json", "--top", "2"], built).output)
    assert doc["tool"] == {"label": "Weights & Biases", "iri": "https://w3id.org/mlops-kg/id/tool/weights-and-biases"}
    assert [set(s) for s in doc["substitutes"]] == [{"label", "iri", "score", "reasons"}] * 2


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


def test_fast_path_does_not_import_rdflib_or_parse_turtle(built):
    code = ("import sys; from mlops_kg.cli import main; sys.argv = ['mlops-kg', 'substitutes', 'mlflow', "
            f"'--build', {str(built)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl', 'pyvis', 'networkx')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Substitutes for MLflow" in out
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
