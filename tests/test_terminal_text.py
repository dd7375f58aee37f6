"""One rule for text shown on a terminal (issue 12): the query table, the import report and the
server log escape ESC, C1 controls such as CSI (U+009B), bidi overrides and line separators."""
import pytest

HOSTILE = {"\x1b": "\\x1b", "\x9b": "\\x9b", "\u202e": "\\u202e", "\u2028": "\\u2028"}


@pytest.mark.parametrize("raw, shown", HOSTILE.items())
def test_query_table_escapes(raw, shown):
    from rdflib import Literal

    from mlops_kg.query.formats import table
    from mlops_kg.query.store import QueryResult

    out = table(QueryResult("select", variables=["l"], rows=[(Literal(f"a{raw}[2Jb"),)]))
    assert f"a{shown}[2Jb" in out and raw not in out


@pytest.mark.parametrize("raw, shown", HOSTILE.items())
def test_import_report_escapes(raw, shown):
    from mlops_kg.sources.guide import visible

    assert visible(f"x{raw}y\nz") == f"x{shown}y\nz"


@pytest.mark.parametrize("raw, shown", HOSTILE.items())
def test_server_log_escapes(raw, shown):
    from mlops_kg.serve.handler import printable

    assert printable(f"/a{raw}\\b") == f"/a{shown}\\\\b"


def test_plain_text_is_left_alone():
    from mlops_kg.files import terminal_safe

    assert terminal_safe("MLflow é 中文 \u00a0") == "MLflow é 中文 \u00a0"
    assert terminal_safe("a\u2066b\u061cc\x7f\ud800") == "a\\u2066b\\u061cc\\x7f\\ud800"
