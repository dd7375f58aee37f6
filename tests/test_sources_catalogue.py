"""The normalisations every catalogue reader shares (mlops_kg.sources.catalogue)."""
from __future__ import annotations

import dataclasses

import pytest

from mlops_kg.sources.catalogue import (Record, clean_name, count, iso_date, maturity,
                                        normalise_repository, osi_approved, spdx_licence)


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/mlflow/mlflow", "https://github.com/mlflow/mlflow"),
    ("http://www.GitHub.com/Microsoft/LightGBM.git/", "https://github.com/microsoft/lightgbm"),
    ("https://github.com/tensorflow/tfx/tree/master/tfx/components", "https://github.com/tensorflow/tfx"),
    ("https://github.com/org/repo#readme", "https://github.com/org/repo"),
    ("https://github.com/org/repo?tab=readme", "https://github.com/org/repo"),
    ("github.com/org/repo", "https://github.com/org/repo"),
    ("https://gitlab.com/Group/Sub/Project.git", "https://gitlab.com/group/sub/project"),
    ("https://gitlab.com/group/project/-/blob/main/README.md", "https://gitlab.com/group/project"),
    ("https://bitbucket.org/Owner/Repo/src/master/", "https://bitbucket.org/owner/repo"),
    ("https://github.com/OAAX-standard", None),  # an organisation, not a repository
    ("https://github.com/orgs/kubeflow/repositories", None),
    ("https://mlflow.org/docs/latest/", None),
    ("https://huggingface.co/mistralai/Mixtral-8x7B-v0.1", None),
    ("", None),
    (None, None),
    ("mailto:someone@example.org", None),
])
def test_normalise_repository(url, expected):
    assert normalise_repository(url) == expected


def test_other_hosts_count_only_where_the_catalogue_says_repository():
    url = "https://opendev.org/zuul/zuul"  # a known forge
    assert normalise_repository(url) == "https://opendev.org/zuul/zuul"
    assert normalise_repository("https://gitlab.haskell.org/ghc/ghc") == "https://gitlab.haskell.org/ghc/ghc"
    assert normalise_repository("https://git.example.org/Team/Tool.git") is None
    assert normalise_repository("https://git.example.org/Team/Tool.git", any_host=True) == \
        "https://git.example.org/team/tool"


@pytest.mark.parametrize("text, expected", [
    ("Apache-2.0", "Apache-2.0"),
    ("apache-2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),           # GitHub's name = the SPDX full name
    ("Apache 2.0", "Apache-2.0"),
    ("MIT License", "MIT"),
    ('BSD 3-Clause "New" or "Revised" License', "BSD-3-Clause"),
    ("GNU General Public License v3.0", "GPL-3.0-only"),
    ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
    ("GPL-3.0", "GPL-3.0-only"),                      # deprecated id → its current one
    ("GPL-2.0+", "GPL-2.0-or-later"),
    ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
    ("Universal Permissive License v1.0", "UPL-1.0"),
    ("Other", None),
    ("Unknown License", None),
    ("Custom", None),
    ("PIL", None),                                    # not an SPDX id (HPND is)
    (None, None),
])
def test_spdx_licence(text, expected):
    assert spdx_licence(text) == expected


def test_osi_approval_comes_from_the_spdx_list():
    assert osi_approved("Apache-2.0") is True
    assert osi_approved("CC-BY-4.0") is False
    assert osi_approved("CC-BY-NC-SA-4.0") is False
    assert osi_approved("Not-A-Licence") is None
    assert osi_approved(None) is None


def test_record_has_no_description_and_is_frozen():
    names = {f.name for f in dataclasses.fields(Record)}
    assert not names & {"description", "summary", "details", "text"}
    record = Record(source="s", key="k", name="n", file="f", line=1, licence="MIT")
    assert record.osi_approved is True and record.where == "f:1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "other"


@pytest.mark.parametrize("text, expected", [
    ("FastChat (Vicuna)", ("FastChat", ("Vicuna",))),
    ("Langfuse 🪢", ("Langfuse", ())),
    ("**Featly** 🎁", ("Featly", ())),
    ("  C#   tools ", ("C# tools", ())),
    ("Weights & Biases", ("Weights & Biases", ())),
])
def test_clean_name(text, expected):
    assert clean_name(text) == expected


def test_dates_counts_and_maturity():
    import datetime

    assert iso_date("2020-11-18T19:53:01Z") == "2020-11-18"
    assert iso_date("2015-05-28 13:21:43.000") == "2015-05-28"
    assert iso_date(datetime.date(2024, 2, 29)) == "2024-02-29"
    assert iso_date("2024-02-30") is None and iso_date("soon") is None and iso_date("") is None
    assert count("5326.0") == 5326 and count(12) == 12
    assert count("") is None and count("n/a") is None and count(-1) is None and count(True) is None
    assert maturity("incubation") == "incubating" and maturity("Graduated") == "graduated"
    assert maturity("archived") is None and maturity(None) is None
