"""Checks and comparators, one answer at a time."""

from __future__ import annotations

import pytest

from llmrouter.experiments import (
    Answer,
    GradeContext,
    ToolCallAnswer,
    build_check,
    build_comparator,
    looks_like_refusal,
    text_similarity,
)
from llmrouter.experiments.judge import judge_messages, parse_score


async def _grade(entry: object, text: str = "", reference: str | None = None, **answer: object):  # type: ignore[no-untyped-def]
    check = build_check(entry)
    context = GradeContext(reference=Answer(reference) if reference is not None else None)
    return await check.grade(Answer(text, **answer), context)  # type: ignore[arg-type]


async def test_contains_and_regex() -> None:
    assert (await _grade({"contains": "Paris"}, "It is Paris.")).passed
    assert not (await _grade({"contains": "paris"}, "It is Paris.")).passed  # case-sensitive
    both = await _grade({"contains": ["Paris", "France"]}, "Paris")
    assert not both.passed and both.detail == "1 of 2 strings missing"
    assert (await _grade({"regex": r"^\d+$"}, "42")).passed
    assert (await _grade({"regex": "(?i)paris"}, "PARIS")).passed


async def test_json_schema_reads_a_fenced_block_and_never_quotes_the_answer() -> None:
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}
    assert (await _grade({"json_schema": schema}, '```json\n{"age": 3}\n```')).passed
    bad = await _grade({"json_schema": schema}, '{"age": "secret-value"}')
    assert not bad.passed and bad.detail == "$.age: fails 'type'"
    assert (await _grade({"json_schema": schema}, "not json")).detail == "not JSON"


async def test_tool_call_matches_named_arguments_only() -> None:
    call = ToolCallAnswer("lookup", {"query": "Oslo", "units": "metric"}, "{}")
    spec = {"tool_call": {"name": "lookup", "arguments": {"query": "Oslo"}}}
    assert (await _grade(spec, tool_calls=(call,))).passed
    other = {"tool_call": {"name": "lookup", "arguments": {"query": "Bergen"}}}
    assert not (await _grade(other, tool_calls=(call,))).passed
    assert (await _grade({"tool_call": {"name": "search"}}, tool_calls=(call,))).detail == (
        "no call to 'search'"
    )


async def test_similarity_is_normalized_indel_after_normalisation() -> None:
    assert text_similarity("Paris!", "paris") == 1.0  # case and punctuation do not count
    assert text_similarity("abcd", "abcf") == pytest.approx(0.75)  # 1 - 2 edits / 8 chars
    scored = await _grade({"similarity": 0.8}, "abcf", reference="abcd")
    assert not scored.passed and scored.score == pytest.approx(0.75)
    assert (await _grade({"similarity": 0.7}, "abcf", reference="abcd")).passed


async def test_shadow_comparators_compare_with_the_baseline_answer() -> None:
    json_valid = build_comparator("json_valid")
    context = GradeContext(reference=Answer('{"a": 1}'))
    assert (await json_valid.grade(Answer('{"b": 2}'), context)).passed
    assert not (await json_valid.grade(Answer("plain"), context)).passed
    assert (await json_valid.grade(Answer("plain"), GradeContext(reference=Answer("x")))).passed
    tool_calls = build_comparator("tool_calls")
    base = Answer("", tool_calls=(ToolCallAnswer("f", {"x": 1}, ""), ToolCallAnswer("g", {}, "")))
    half = Answer("", tool_calls=(ToolCallAnswer("f", {"x": 1}, ""),))
    outcome = await tool_calls.grade(half, GradeContext(reference=base))
    assert not outcome.passed and outcome.score == 0.5
    assert build_comparator({"similarity": 0.5}).name == "similarity"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"contain": "x"}, "unknown check 'contain'; did you mean 'contains'?"),
        ({"regex": "("}, "invalid regular expression"),
        ({"json_schema": {"type": "nope"}}, "invalid JSON Schema"),
        ({"similarity": 2}, "between 0 and 1"),
        ({"tool_call": {"name": "f", "args": {}}}, "unknown key 'args'"),
        ({"judge": {"rubric": "r", "min_score": 3}}, "min_score must be between 0 and 1"),
        ({"contains": "a", "regex": "b"}, "one key"),
    ],
)
def test_bad_checks_say_what_is_wrong(entry: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_check(entry)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("I'm sorry, but I can't help with that.", True),
        ("I cannot provide instructions for this request.", True),
        ("Sorry, I won\u2019t assist with that.", True),
        ("Unfortunately, I am unable to answer that question.", True),
        ("\u62b1\u6b49\uff0c\u6211\u65e0\u6cd5\u56de\u7b54", True),
        ("I can't stress enough how useful parameterized queries are.", False),
        ("Paris is the capital of France. I cannot help but admire it.", False),
        ("The maximum dose is 4 g per day; I can help you plan doses with your doctor.", False),
    ],
)
def test_refusal_wording_at_the_start(text: str, refusal: bool) -> None:
    assert looks_like_refusal(text) is refusal


def test_judge_prompt_and_score_parsing() -> None:
    messages = judge_messages("Be right.", [{"role": "user", "content": "Q?"}], Answer("A"), None)
    assert messages[0]["role"] == "system" and "JSON" in messages[0]["content"]
    assert "Rubric:\nBe right." in messages[1]["content"]
    assert messages[1]["content"].endswith("Answer to grade:\nA")
    assert parse_score('Sure: {"score": 8, "reason": "ok"}') == (0.8, "ok")
    assert parse_score("Score: 7/10") == (0.7, None)
    assert parse_score('{"score": 15}') == (1.0, None)
    assert parse_score("no idea") is None
