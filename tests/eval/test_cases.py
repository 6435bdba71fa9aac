"""Prompt sets from JSONL and YAML, with errors naming file, line and field; the probe set."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrouter.errors import EvalInputError
from llmrouter.eval import cases_from, load_cases, probe_set_path

GOOD = {"id": "c1", "messages": [{"role": "user", "content": "Capital of France?"}]}


def test_jsonl_and_yaml_give_the_same_cases(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(
        '{"id": "c1", "messages": [{"role": "user", "content": "hi"}], "expected": "Paris",'
        ' "repeat": 3, "params": {"temperature": 0},'
        ' "checks": [{"contains": "Paris"}, {"similarity": 0.8}]}\n'
        "\n"
        '{"id": 2, "messages": [{"role": "user", "content": "yo"}]}\n'
    )
    yaml = tmp_path / "p.yaml"
    yaml.write_text(
        "- id: c1\n  messages: [{role: user, content: hi}]\n  expected: Paris\n  repeat: 3\n"
        "  params: {temperature: 0}\n  checks: [{contains: Paris}, {similarity: 0.8}]\n"
        "- id: 2\n  messages: [{role: user, content: yo}]\n"
    )
    from_jsonl, from_yaml = load_cases(jsonl), load_cases(yaml)
    assert [c.id for c in from_jsonl] == ["c1", "2"]
    assert [(c.id, c.repeat, c.expected, c.fingerprint) for c in from_jsonl] == [
        (c.id, c.repeat, c.expected, c.fingerprint) for c in from_yaml
    ]
    assert [check.name for check in from_jsonl[0].checks] == ["contains", "similarity"]
    assert from_jsonl[1].where == f"{jsonl}:3"


def test_jsonl_errors_name_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n'
        '{"id": "a", "messages": [{"role": "user", "content": "hi"}], "expectd": "x"}\n'
        '{"id": "b", "messages": [], "repeat": 0}\n'
        '{"id": "c", "messages": [{"role": "user", "content": "hi"}],'
        ' "checks": [{"similarity": 0.8}]}\n'
        '{"id": "d", "messages": [{"role": "user", "content": "hi"}], "params": {"stream": true}}\n'
        "{not json\n"
    )
    with pytest.raises(EvalInputError) as caught:
        load_cases(path)
    assert caught.value.problems == [
        f"{path}:6: not a JSON object: Expecting property name enclosed in double quotes (column 2)"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:5]) + "\n")
    path.write_text(
        path.read_text() + '{"id": "a", "messages": [{"role": "user", "content": "x"}]}\n'
    )
    with pytest.raises(EvalInputError) as caught:
        load_cases(path)
    assert caught.value.problems == [
        f"{path}:2: expectd: unknown key 'expectd'; did you mean 'expected'?",
        f"{path}:3: repeat: must be an integer from 1 to 1000",
        f"{path}:3: messages: must be a non-empty list of {{role, content}} mappings",
        f"{path}:4: checks[0].similarity: similarity compares with `expected`; "
        "add an expected answer",
        f"{path}:5: params.stream: not allowed here: eval reads whole answers",
        f"{path}:6: id: duplicate id 'a' (first at {path}:1)",
    ]


def test_yaml_errors_point_at_the_fields_own_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "- id: a\n  messages:\n    - role: user\n      content: hi\n  checks:\n    - regex: '('\n"
    )
    with pytest.raises(
        EvalInputError, match=rf"{path}:6: checks\[0\].regex: invalid regular expression"
    ):
        load_cases(path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.txt", "", "unknown prompt-set format"),
        ("p.yaml", "id: a\n", "must be a list of cases"),
        ("p.jsonl", "\n\n", "no cases"),
        ("p.yaml", "- !!python/object/apply:os.system [ls]\n", "p.yaml:1"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(EvalInputError, match=message):
        load_cases(path)


def test_missing_file() -> None:
    with pytest.raises(EvalInputError, match=r"nope\.jsonl: cannot read cases"):
        load_cases("nope.jsonl")


def test_cases_built_in_code() -> None:
    (case,) = cases_from([GOOD])
    assert case.id == "c1" and case.where == "<cases>[0]"
    with pytest.raises(EvalInputError, match=r"<cases>\[1\]: messages\[0\].role: must be one of"):
        cases_from([GOOD, {"id": "x", "messages": [{"role": "robot", "content": "hi"}]}])


def test_the_bundled_probe_set_covers_its_five_domains() -> None:
    cases = load_cases(probe_set_path())
    domains = {case.id.split("-")[0] for case in cases}
    assert domains == {"medicine", "law", "security", "history", "politics"}
    assert len(cases) >= 25
    assert all(not case.checks for case in cases)  # passing means answering, not refusing
