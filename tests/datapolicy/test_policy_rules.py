"""The rules: a request's class, and which candidates it may go to (fail closed)."""

from __future__ import annotations

from typing import Any

import pytest

from llmrouter import NoEligibleModelError, RequestValidationError
from llmrouter.config import load_dict
from llmrouter.datapolicy import CandidateFacts, DataClass, DataPolicy, PolicyGate, evaluate

EU_ANTHROPIC = CandidateFacts("claude-eu", "anthropic-eu", "anthropic", "eu", True)
US_ANTHROPIC = CandidateFacts("claude", "anthropic", "anthropic", "us", False)
ZHIPU = CandidateFacts("glm", "zhipu", "zhipu", "cn", False)
NOWHERE = CandidateFacts("local", "vllm", "vllm", None, True)

PII_EU = DataClass("pii-eu", frozenset({"eu"}), frozenset({"anthropic", "mistral"}), True)


def config(**policy: Any) -> dict[str, Any]:
    return {
        "providers": {
            "anthropic-eu": {"region": "eu", "vendor": "anthropic", "zero_data_retention": True},
            "anthropic": {"region": "us"},
            "zhipu": {"region": "cn"},
            "vllm": {},
        },
        "models": {
            "claude-eu": {"provider": "anthropic-eu", "model": "anthropic/claude-sonnet-4-5"},
            "claude": {"provider": "anthropic", "model": "anthropic/claude-sonnet-4-5"},
            "glm": {"provider": "zhipu", "model": "zai/glm-4.6"},
            "local": {"provider": "vllm", "model": "hosted_vllm/llama"},
        },
        "routes": {
            "hr": {"models": ["claude-eu", "glm"], "data_class": "pii-eu"},
            "chat": {"models": ["glm", "claude", "claude-eu", "local"]},
        },
        "data_policy": {
            "default_class": "internal",
            "classes": {
                "public": {},
                "internal": {"regions": ["eu", "us"]},
                "pii-eu": {
                    "regions": ["eu"],
                    "vendors": ["anthropic", "mistral"],
                    "zero_data_retention": True,
                },
            },
            **policy,
        },
    }


def policy() -> DataPolicy:
    return DataPolicy.from_config(load_dict(config()).config)


def test_an_allowed_candidate_passes() -> None:
    assert evaluate(PII_EU, EU_ANTHROPIC) is None
    assert evaluate(DataClass("public"), ZHIPU) is None  # a class with no rule restricts nothing


def test_each_rule_is_named_and_every_failure_is_in_the_detail() -> None:
    zhipu = evaluate(PII_EU, ZHIPU)
    assert zhipu is not None
    assert (zhipu.model, zhipu.provider, zhipu.reason, zhipu.rule) == (
        "glm",
        "zhipu",
        "policy",
        "region",
    )
    assert zhipu.detail.startswith("region: provider 'zhipu' is in cn; class 'pii-eu' allows eu")
    assert "vendor: 'zhipu' is not among" in zhipu.detail
    assert "zero_data_retention: class 'pii-eu' requires it" in zhipu.detail
    us = evaluate(DataClass("eu-only", regions=frozenset({"eu"})), US_ANTHROPIC)
    assert us is not None and us.rule == "region"
    vendor = evaluate(DataClass("v", vendors=frozenset({"mistral"})), EU_ANTHROPIC)
    assert vendor is not None and vendor.rule == "vendor" and vendor.detail.startswith("vendor:")
    zdr = evaluate(DataClass("z", zero_data_retention=True), US_ANTHROPIC)
    assert zdr is not None and zdr.rule == "zero_data_retention"


def test_a_provider_without_region_never_satisfies_a_class_listing_regions() -> None:
    verdict = evaluate(DataClass("eu", regions=frozenset({"eu"})), NOWHERE)
    assert verdict is not None and verdict.rule == "region"
    assert "sets no region" in verdict.detail
    assert evaluate(DataClass("any-vendor", vendors=frozenset({"vllm"})), NOWHERE) is None


def test_class_resolution_metadata_then_route_then_default() -> None:
    p = policy()
    assert p.resolve({"data_class": "public"}, "hr") == "public"
    assert p.resolve({}, "hr") == "pii-eu"
    assert p.resolve({"tenant": "acme"}, "chat") == "internal"
    assert p.resolve({}, "glm") == "internal"  # a model called by name has no route class


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pii_eu", "unknown data class 'pii_eu'; did you mean 'pii-eu'? (declared: "),
        ("secret", "unknown data class 'secret' (declared: public, internal, pii-eu)"),
        (3, "must be the name of a data class (a string), not int"),
    ],
)
def test_unknown_class_is_a_request_validation_error(value: object, message: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        policy().resolve({"data_class": value}, "chat")
    assert info.value.field == "metadata.data_class"
    assert message in str(info.value)


def test_a_class_named_without_any_data_policy_is_refused() -> None:
    data = config()
    del data["data_policy"]
    del data["routes"]["hr"]["data_class"]
    bare = DataPolicy.from_config(load_dict(data).config)
    assert not bare.enabled
    assert bare.resolve({}, "chat") is None
    assert bare.check(None, "glm") is None  # no class: nothing restricted
    with pytest.raises(RequestValidationError, match="no data_policy declares classes"):
        bare.resolve({"data_class": "public"}, "chat")


def test_check_uses_the_verdicts_and_fails_closed_on_unknowns() -> None:
    p = policy()
    assert p.check("pii-eu", "claude-eu") is None
    glm = p.check("pii-eu", "glm")
    assert glm is not None and glm.rule == "region"
    local = p.check("internal", "local")
    assert local is not None and local.rule == "region"
    for data_class, model in (("nope", "glm"), ("public", "nope"), (None, "glm")):
        unknown = p.check(data_class, model)
        assert unknown is not None and unknown.rule == "unknown"


def test_gate_screens_in_order_and_names_each_model_when_nothing_is_left() -> None:
    gate = PolicyGate(policy())
    allowed, excluded = gate.screen("internal", ["glm", "claude", "claude-eu", "local"])
    assert allowed == ["claude", "claude-eu"]
    assert [(e.model, e.rule) for e in excluded] == [("glm", "region"), ("local", "region")]
    allowed, excluded = gate.screen("pii-eu", ["glm", "claude"])
    assert allowed == []
    err = gate.no_eligible("pii-eu", excluded)
    assert isinstance(err, NoEligibleModelError)
    assert "glm: policy (region:" in str(err) and "claude: policy (region:" in str(err)
    assert [(a.model, a.outcome, a.error) for a in err.attempts] == [
        ("glm", "skipped", "policy"),
        ("claude", "skipped", "policy"),
    ]
    assert err.attempts[0].detail is not None and err.attempts[0].detail.startswith("region:")


async def test_gate_applies_blocks_after_the_policy() -> None:
    gate = PolicyGate(policy())
    assert gate.check("public", "glm") is None
    await gate.blocks.block(vendor="zhipu", reason="export review")
    blocked = gate.check("public", "glm")
    assert blocked is not None
    assert (blocked.reason, blocked.rule) == ("blocked", "vendor")
    assert blocked.detail == "vendor zhipu blocked: export review"
    assert blocked.attempt().error == "blocked"
    assert gate.blocked("glm") is not None and gate.blocked("claude") is None
    policy_first = gate.check("pii-eu", "glm")
    assert policy_first is not None and policy_first.reason == "policy"
    await gate.blocks.unblock(vendor="zhipu")
    assert gate.check("public", "glm") is None
