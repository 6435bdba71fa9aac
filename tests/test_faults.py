"""Classification: business codes and error types beat HTTP statuses (docs/fault-policy.md
lists the sources); each vendor file brings its own table."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from llmrouter import errors as e
from llmrouter.config.secrets import Redactor
from llmrouter.faults import RawFault, classify, error_for_finish_reason, parse_retry_after
from llmrouter.vendors import model_ref


def zhipu(code: str, message: str = "x") -> str:
    return json.dumps({"error": {"code": code, "message": message}})


def anthropic(etype: str, message: str = "x") -> str:
    return json.dumps({"type": "error", "error": {"type": etype, "message": message}})


def openai(code: str | None, etype: str = "invalid_request_error", message: str = "x") -> str:
    return json.dumps({"error": {"message": message, "type": etype, "param": None, "code": code}})


ZHIPU_CASES = [
    (400, zhipu("1301", "sensitive content"), e.ContentFilteredError),
    (400, zhipu("1300"), e.ContentFilteredError),
    (429, zhipu("1113"), e.QuotaExceededError),
    (429, zhipu("1302"), e.RateLimitError),
    (401, zhipu("1001"), e.AuthenticationError),
    (400, zhipu("1211", "model does not exist"), e.BadRequestError),
    (500, zhipu("1234"), e.ProviderUnavailableError),
    (400, zhipu("1261"), e.ContextWindowExceededError),
]

CASES = [
    # Anthropic error types; litellm reports 529 overloaded as a 500
    (500, anthropic("overloaded_error", "Overloaded"), e.OverloadedError),
    (529, anthropic("overloaded_error"), e.OverloadedError),
    (500, anthropic("api_error"), e.ProviderUnavailableError),
    (429, anthropic("rate_limit_error"), e.RateLimitError),
    (
        429,
        anthropic("rate_limit_error", "You have reached your specified API usage limits"),
        e.QuotaExceededError,
    ),
    (
        400,
        anthropic("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
        e.ContextWindowExceededError,
    ),
    (
        400,
        anthropic("invalid_request_error", "Output blocked by content filtering policy"),
        e.ContentFilteredError,
    ),
    (400, anthropic("invalid_request_error", "max_tokens: field required"), e.BadRequestError),
    (401, anthropic("authentication_error"), e.AuthenticationError),
    (403, anthropic("permission_error"), e.AuthenticationError),
    (404, anthropic("not_found_error"), e.BadRequestError),
    # OpenAI codes
    (400, openai("context_length_exceeded"), e.ContextWindowExceededError),
    (400, openai("content_policy_violation"), e.ContentFilteredError),
    (400, openai("content_filter"), e.ContentFilteredError),
    (429, openai("insufficient_quota", "insufficient_quota"), e.QuotaExceededError),
    (429, openai("rate_limit_exceeded", "requests"), e.RateLimitError),
    (401, openai("invalid_api_key"), e.AuthenticationError),
    (404, openai("model_not_found"), e.BadRequestError),
    (503, openai(None, "server_error", "The engine is currently overloaded"), e.OverloadedError),
    (502, openai(None, "server_error"), e.ProviderUnavailableError),
    # statuses alone
    (429, None, e.RateLimitError),
    (529, None, e.OverloadedError),
    (503, None, e.ProviderUnavailableError),
    (400, None, e.BadRequestError),
    (403, None, e.AuthenticationError),
    (408, None, e.ProviderTimeoutError),
]


@pytest.mark.parametrize(("status", "body", "expected"), CASES)
def test_classification(status: int, body: str | None, expected: type[e.ProviderError]) -> None:
    err = classify(RawFault(status=status, body=body), model="m", provider="p")
    assert type(err) is expected
    assert err.status_code == status


@pytest.mark.parametrize(("status", "body", "expected"), ZHIPU_CASES)
@pytest.mark.parametrize("prefix", ["zai", "zai_anthropic"])
def test_zhipu_business_codes_come_from_the_vendor_file(
    prefix: str, status: int, body: str, expected: type[e.ProviderError]
) -> None:
    codes = model_ref(f"{prefix}/glm-4.6").vendor.error_codes
    err = classify(RawFault(status=status, body=body), model="m", provider="p", codes=codes)
    assert type(err) is expected


def test_another_vendors_codes_do_not_apply() -> None:
    codes = model_ref("openai/gpt-4o").vendor.error_codes
    err = classify(RawFault(status=400, body=zhipu("1301")), codes=codes)
    assert type(err) is e.BadRequestError  # a 1301 means nothing from OpenAI


@pytest.mark.parametrize(
    ("etype", "status", "expected"),
    [
        ("engine_overloaded_error", 429, e.OverloadedError),
        ("exceeded_current_quota_error", 429, e.QuotaExceededError),
        ("rate_limit_reached_error", 429, e.RateLimitError),
        ("invalid_authentication_error", 401, e.AuthenticationError),
        ("content_filter", 400, e.ContentFilteredError),
    ],
)
def test_moonshot_error_types(etype: str, status: int, expected: type[e.ProviderError]) -> None:
    codes = model_ref("moonshot/kimi-k2-0905-preview").vendor.error_codes
    body = json.dumps({"error": {"type": etype, "message": "x"}})
    assert type(classify(RawFault(status=status, body=body), codes=codes)) is expected


def test_body_embedded_in_adapter_message_is_read() -> None:
    message = "litellm.InternalServerError: AnthropicException - " + anthropic("overloaded_error")
    err = classify(RawFault(status=500, message=message))
    assert isinstance(err, e.OverloadedError)
    assert err.detail == "x"


def test_transport_failures() -> None:
    assert isinstance(classify(RawFault(transport="timeout")), e.ProviderTimeoutError)
    assert isinstance(classify(RawFault(transport="connect")), e.ProviderUnavailableError)
    assert isinstance(classify(RawFault(status=200, malformed=True)), e.MalformedResponseError)


def test_secrets_are_scrubbed_from_messages() -> None:
    key = "zk-live-0123456789abcdef"
    body = openai("invalid_api_key", message=f"Incorrect API key provided: {key}.")
    err = classify(RawFault(status=401, body=body), redact=Redactor([key]))
    assert key not in str(err)
    assert "[REDACTED]" in str(err)


def test_key_shaped_strings_are_scrubbed_even_when_unknown() -> None:
    err = classify(
        RawFault(status=401, message="Authorization: Bearer abcdefghijklmnop sk-proj-abcdefghijkl"),
        redact=Redactor(),
    )
    assert "abcdefghijklmnop" not in str(err)
    assert "sk-proj-abcdefghijkl" not in str(err)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "-3"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_http_date() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    value = parse_retry_after({"retry-after": format_datetime(when, usegmt=True)})
    assert value is not None
    assert 25 <= value <= 31
    past = datetime.now(timezone.utc) - timedelta(seconds=30)
    assert parse_retry_after({"retry-after": format_datetime(past, usegmt=True)}) is None


def test_retry_after_reaches_the_error() -> None:
    err = classify(RawFault(status=429, headers={"retry-after": "3"}))
    assert err.retry_after_s == 3.0


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("sensitive", e.ContentFilteredError),
        ("content_filter", e.ContentFilteredError),
        ("network_error", e.ProviderUnavailableError),
        ("stop", None),
        ("length", None),
        (None, None),
    ],
)
def test_finish_reason_faults(reason: str | None, expected: type[e.ProviderError] | None) -> None:
    err = error_for_finish_reason(reason, model="m", provider="p")
    assert (type(err) if err else None) is expected
