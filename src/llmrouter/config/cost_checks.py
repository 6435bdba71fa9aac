"""Cross-field checks of prices, currencies, strategies' settings and budgets.

Each problem is `(field path, message)`; the loader turns the path into `file:line: field`.
"""

from __future__ import annotations

from llmrouter.config.schema import RouterConfig
from llmrouter.config.yaml_source import Path
from llmrouter.didyoumean import unknown

__all__ = ["cost_problems"]

Problem = tuple[Path, str]


_unknown = unknown


def cost_problems(config: RouterConfig) -> list[Problem]:
    """Every price, currency, weight and budget problem of `config`."""
    return [*_price_problems(config), *_route_problems(config), *_budget_problems(config)]


def _price_problems(config: RouterConfig) -> list[Problem]:
    out: list[Problem] = []
    for name, model in config.models.items():
        where: Path = ("models", name)
        if model.currency is not None and model.currency != "USD":
            if model.currency not in config.currencies:
                known = [*config.currencies, "USD"]
                out.append(
                    (
                        (*where, "currency"),
                        _unknown("currency", model.currency, known)
                        + "; add its USD rate under top-level `currencies:`",
                    )
                )
            priced = (
                model.input_cost_per_mtok,
                model.output_cost_per_mtok,
                model.cached_input_cost_per_mtok,
                model.reasoning_cost_per_mtok,
                model.price_tiers,
            )
            if all(v is None for v in priced):
                out.append(
                    (
                        (*where, "currency"),
                        f"{model.currency} applies to prices set on this model, and none is set "
                        "(bundled prices are in USD)",
                    )
                )
        tiers = model.price_tiers or []
        previous = 0
        for index, tier in enumerate(tiers):
            bound = tier.max_input_tokens
            path: Path = (*where, "price_tiers", index, "max_input_tokens")
            if bound is None and index != len(tiers) - 1:
                out.append((path, "only the last tier may leave max_input_tokens out"))
            elif bound is not None and bound <= previous:
                out.append((path, f"must be larger than the previous tier's ({previous:,})"))
            previous = bound or previous
    return out


def _route_problems(config: RouterConfig) -> list[Problem]:
    out: list[Problem] = []
    for name, route in config.routes.items():
        where: Path = ("routes", name)
        custom = ":" in route.strategy
        if "explore_every" in route.model_fields_set and route.strategy != "latency" and not custom:
            out.append(
                ((*where, "explore_every"), "explore_every is only read by strategy: latency")
            )
        if route.weights is None:
            if route.strategy == "weighted":
                out.append(
                    ((*where, "weights"), "strategy weighted needs weights: {model: weight, ...}")
                )
            continue
        if route.strategy != "weighted" and not custom:
            out.append(((*where, "weights"), "weights are only read by strategy: weighted"))
        for model in route.weights:
            if model not in route.models:
                out.append(
                    (
                        (*where, "weights", model),
                        _unknown("model of this route", model, route.models),
                    )
                )
        missing = [m for m in route.models if m not in route.weights]
        if missing and route.strategy == "weighted":
            out.append(((*where, "weights"), f"no weight for {', '.join(map(repr, missing))}"))
    return out


def _budget_problems(config: RouterConfig) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for index, budget in enumerate(config.budgets):
        where: Path = ("budgets", index)
        kind, _, target = budget.scope.partition(":")
        if kind == "model" and target not in config.models:
            out.append(((*where, "scope"), _unknown("model", target, config.models)))
        elif kind == "route" and target not in config.routes:
            hint = f"; {target!r} is a model: use model:{target}" if target in config.models else ""
            out.append(((*where, "scope"), _unknown("route", target, config.routes) + hint))
        if (budget.scope, budget.window) in seen:
            out.append(
                ((*where, "scope"), f"a {budget.window} budget for {budget.scope} is listed twice")
            )
        seen.add((budget.scope, budget.window))
    return out
