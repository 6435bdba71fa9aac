"""The backstop under the policy stage: no upstream call leaves without passing the gate.

The policy stage skips excluded candidates and records why. This wrapper around the `Provider`
checks every call again, against the data class of the request being served (a context
variable set by `policy_scope`), so a leg that some new code path forgets to screen (a shadow,
a canary, a hedge) is refused before a byte is sent. Asyncio tasks copy the context when they
are created, so legs started in background tasks inside the scope carry the class with them.
A call outside any scope, while classes are declared, is refused too (fail closed).

```python
provider = EnforcingProvider(provider, gate)
with policy_scope(data_class):
    ...  # every provider.complete / provider.stream / provider.embed in here is checked
```

A refusal raises `NoEligibleModelError` (not a `ProviderError`, so no fault policy retries or
falls back on it): reaching it means a leg bypassed the stage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.errors import NoEligibleModelError
from llmrouter.providers.base import Provider, ProviderCall
from llmrouter.providers.embeddings import embed_with
from llmrouter.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

__all__ = ["EnforcingProvider", "current_data_class", "policy_scope"]


class _Scope:
    __slots__ = ("data_class",)

    def __init__(self, data_class: str | None) -> None:
        self.data_class = data_class


_SCOPE: ContextVar[_Scope | None] = ContextVar("llmrouter_policy_scope", default=None)


@contextmanager
def policy_scope(data_class: str | None) -> Iterator[None]:
    """Serve one request of `data_class` (None: no class) inside this block."""
    token = _SCOPE.set(_Scope(data_class))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def current_data_class() -> tuple[bool, str | None]:
    """`(inside a scope, its data class)`."""
    scope = _SCOPE.get()
    return (False, None) if scope is None else (True, scope.data_class)


class EnforcingProvider:
    """A `Provider` that asks `gate` before every call it passes to `inner`."""

    def __init__(self, inner: Provider, gate: PolicyGate) -> None:
        self._inner = inner
        self._gate = gate

    def _admit(self, call: ProviderCall) -> None:
        if not self._gate.active:
            return
        scope = _SCOPE.get()
        model = call.deployment.name
        if scope is None:
            if self._gate.policy.enabled:
                raise NoEligibleModelError(
                    f"refused a call to {model!r} made outside any policy scope: every leg "
                    "must be sent inside policy_scope(data_class)"
                )
            data_class = None
        else:
            data_class = scope.data_class
        excluded = self._gate.check(data_class, model)
        if excluded is not None:
            raise self._gate.no_eligible(data_class, [excluded])

    async def complete(self, call: ProviderCall) -> ChatCompletion:
        self._admit(call)
        return await self._inner.complete(call)

    def stream(self, call: ProviderCall) -> AsyncIterator[ChatCompletionChunk]:
        self._admit(call)  # before the inner stream exists: nothing is sent
        return self._inner.stream(call)

    async def embed(self, call: ProviderCall) -> EmbeddingResponse:
        self._admit(call)
        return await embed_with(self._inner, call)

    def warm_up(self) -> None:
        """Forwarded to the inner provider's `warm_up`, when it has one."""
        warm_up = getattr(self._inner, "warm_up", None)
        if warm_up is not None:
            warm_up()

    async def aclose(self) -> None:
        await self._inner.aclose()
