"""The policy stage's one object: data classes and blocks, asked about every leg.

```python
gate = PolicyGate.from_config(loaded, env)
await gate.start()                                   # blocks read before the first request
data_class = gate.resolve(request.metadata, route.name)   # RequestValidationError: no call
allowed, excluded = gate.screen(data_class, [d.name for d in route.candidates])
gate.check(data_class, "glm")                        # before each leg: Exclusion or None
```

`check` and `screen` do no I/O. A candidate the data policy excludes skips with
`error="policy"`, a blocked one with `error="blocked"`; when nothing is left,
`no_eligible(...)` is the `NoEligibleModelError` naming each model and rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from llmrouter.config.loader import LoadedConfig
from llmrouter.datapolicy.blocks import Block, BlockSet
from llmrouter.datapolicy.rules import DataPolicy, Exclusion
from llmrouter.errors import NoEligibleModelError

__all__ = ["PolicyGate"]


class PolicyGate:
    """Data policy and blocks behind one check."""

    def __init__(self, policy: DataPolicy, blocks: BlockSet | None = None) -> None:
        self.policy = policy
        self.blocks = blocks if blocks is not None else BlockSet()
        self._blocked: dict[tuple[str, Block], Exclusion] = {}
        """The exclusion of each (model, block) met: built once, not per request."""

    @classmethod
    def from_config(cls, loaded: LoadedConfig, env: Mapping[str, str] | None = None) -> PolicyGate:
        """The gate of a loaded config: its classes, and blocks over its `state:`."""
        config = loaded.config
        return cls(
            DataPolicy.from_config(config),
            BlockSet.from_state(config.state, loaded.state_url(env)),
        )

    @property
    def active(self) -> bool:
        """Whether anything can exclude a candidate now (classes declared, or a block)."""
        return self.policy.enabled or bool(self.blocks)

    def resolve(self, metadata: Mapping[str, Any], route: str) -> str | None:
        """The request's data class (see `DataPolicy.resolve`); raises
        `RequestValidationError` for an unknown one."""
        return self.policy.resolve(metadata, route)

    def check(self, data_class: str | None, model: str) -> Exclusion | None:
        """None when a request of `data_class` may be sent to `model` now; else why not (the
        data policy first, then blocks). No I/O: call it before every leg."""
        excluded = self.policy.check(data_class, model)
        if excluded is not None or not self.blocks:
            return excluded
        facts = self.policy.facts.get(model)
        if facts is None:  # no facts, no way to match blocks: refused
            return Exclusion(model, "", "policy", "unknown", f"unknown: model {model!r}")
        block = self.blocks.match(facts)
        if block is None:
            return None
        key = (model, block)
        found = self._blocked.get(key)
        if found is None:
            if len(self._blocked) > 4096:  # blocks come and go; stale entries are dropped
                self._blocked.clear()
            found = Exclusion(model, facts.provider, "blocked", block.kind, block.describe())
            self._blocked[key] = found
        return found

    def screen(
        self, data_class: str | None, models: Iterable[str]
    ) -> tuple[list[str], list[Exclusion]]:
        """`models` split into those that may serve (in their order) and the exclusions."""
        allowed: list[str] = []
        excluded: list[Exclusion] = []
        for model in models:
            verdict = self.check(data_class, model)
            if verdict is None:
                allowed.append(model)
            else:
                excluded.append(verdict)
        return allowed, excluded

    def no_eligible(
        self, data_class: str | None, excluded: Iterable[Exclusion]
    ) -> NoEligibleModelError:
        """The error when nothing is left: each model and the rule that removed it, with
        their `outcome="skipped"` attempts."""
        excluded = list(excluded)
        reasons = "; ".join(f"{e.model}: {e.reason} ({e.detail})" for e in excluded)
        what = f"data class {data_class!r}" if data_class is not None else "this request"
        return NoEligibleModelError(
            f"no model may serve {what} ({reasons or 'no candidate'})",
            [e.attempt() for e in excluded],
        )

    def blocked(self, model: str) -> Block | None:
        """Whether `model` is blocked now, and by which block. No I/O."""
        facts = self.policy.facts.get(model)
        return self.blocks.match(facts) if facts is not None else None

    async def start(self) -> None:
        """Read the shared blocks, then keep them in sync (see `BlockSet.start`)."""
        await self.blocks.start()

    async def aclose(self) -> None:
        await self.blocks.aclose()
