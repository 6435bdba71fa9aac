"""Bad `shadow:` and `canary:` sections (and `shadow:` budgets): each problem a `ConfigError`
line naming file, line and field, when the file loads, or (a comparator that does not build)
when the Router is built and in `llmrouter check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrouter import ConfigError, Router
from llmrouter.check import run_check
from llmrouter.config import load_text

HEAD = """\
providers:
  zhipu: {}
  anthropic: {}
models:
  glm: {provider: zhipu, model: zai/glm-4.6}
  claude: {provider: anthropic, model: anthropic/claude-sonnet-4-5}
routes:
  chat:
    models: [claude]
"""


def problems(body: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_text(HEAD + body, source="llmrouter.yaml")
    return info.value.problems


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "    shadow: {models: [glmm], sample: 0.1}\n",
            "llmrouter.yaml:10: routes.chat.shadow.models[0]: unknown model 'glmm'; "
            "did you mean 'glm'?",
        ),
        (
            "    shadow: {models: [glm], sample: 1.5}\n",
            "llmrouter.yaml:10: routes.chat.shadow.sample: Input should be less than or equal to 1",
        ),
        (
            "    shadow: {models: [glm], sample: 0}\n",
            "llmrouter.yaml:10: routes.chat.shadow.sample: Input should be greater than 0",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, max_concurrency: 0}\n",
            "llmrouter.yaml:10: routes.chat.shadow.max_concurrency: Input should be greater than "
            "or equal to 1",
        ),
        (
            "    shadow: {models: [glm, glm], sample: 0.1}\n",
            "llmrouter.yaml:10: routes.chat.shadow.models: a model is listed twice",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, compare: [judge]}\n",
            "llmrouter.yaml:10: routes.chat.shadow.judge: the judge comparator needs "
            "`judge: <route>`",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, compare: [judge], judge: jdge}\n",
            "llmrouter.yaml:10: routes.chat.shadow.judge: unknown route or model 'jdge'",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, compare: [judge], judge: chat}\n",
            "llmrouter.yaml:10: routes.chat.shadow.judge: a route cannot judge its own shadows; "
            "name another",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, compare: []}\n",
            "llmrouter.yaml:10: routes.chat.shadow.compare: name at least one comparator, "
            "e.g. [similarity]",
        ),
        (
            "    shadow: {models: [glm], sample: 0.1, sampel: 0.2}\n",
            "llmrouter.yaml:10: routes.chat.shadow.sampel: unknown key 'sampel'; "
            "did you mean 'sample'?",
        ),
        (
            "    canary:\n      model: gpt\n      percent: 5\n",
            "llmrouter.yaml:11: routes.chat.canary.model: unknown model 'gpt'",
        ),
        (
            "    canary:\n      model: glm\n      percent: 150\n",
            "llmrouter.yaml:12: routes.chat.canary.percent: Input should be less than or equal "
            "to 100",
        ),
        (
            "    canary:\n      model: glm\n      percent: 0\n",
            "llmrouter.yaml:12: routes.chat.canary.percent: Input should be greater than 0",
        ),
        (
            "    canary:\n      model: glm\n      percent: 5\n      sticky_by: session\n",
            "llmrouter.yaml:13: routes.chat.canary.sticky_by: Input should be 'tenant', 'user' "
            "or 'none'",
        ),
        (
            "    canary: {model: glm, percent: 5, max_error_rate: 2}\n",
            "llmrouter.yaml:10: routes.chat.canary.max_error_rate: Input should be less than or "
            "equal to 1",
        ),
        (
            "    canary: {model: glm, percent: 5, min_samples: 0}\n",
            "llmrouter.yaml:10: routes.chat.canary.min_samples: Input should be greater than or "
            "equal to 1",
        ),
        (
            "budgets:\n  - {scope: 'shadow:chta', limit_usd: 1}\n",
            "llmrouter.yaml:11: budgets[0].scope: unknown route 'chta'; did you mean 'chat'?",
        ),
    ],
)
def test_a_bad_section_is_refused_by_file_line_and_field(body: str, expected: str) -> None:
    assert problems(body) == [expected]


def test_valid_sections_load() -> None:
    body = (
        "    shadow: {models: [glm], sample: 0.1, compare: [similarity, {judge: ok}], "
        "judge: claude}\n"
        "    canary: {model: glm, percent: 2.5, sticky_by: user}\n"
        "budgets:\n  - {scope: 'shadow:chat', limit_usd: 5, window: 1d}\n"
    )
    config = load_text(HEAD + body).config
    route = config.routes["chat"]
    assert route.shadow is not None and route.shadow.max_concurrency == 4
    assert route.canary is not None and route.canary.min_samples == 200


BAD_COMPARATOR = """\
    shadow:
      models: [glm]
      sample: 0.1
      compare: [simlarity, {similarity: 2}]
"""


def test_a_comparator_that_does_not_build_is_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "llmrouter.yaml"
    path.write_text(HEAD + BAD_COMPARATOR)
    with pytest.raises(ConfigError) as info:
        Router.from_yaml(path, env={})
    where = f"{path}:13: routes.chat.shadow.compare"
    assert info.value.problems == [
        f"{where}[0]: unknown comparator 'simlarity'; did you mean 'similarity'?",
        f"{where}[1]: must be a threshold between 0 and 1, e.g. 0.8",
    ]
    report = run_check(str(path), env={})
    assert report.exit_code == 2
    assert [p["line"] for p in report.data["problems"]] == [13, 13]
