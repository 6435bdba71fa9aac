"""Draw a `llmrouter check` report (see `llmrouter.check`) on a terminal: text and tables."""

from __future__ import annotations

from typing import Any

from llmrouter.terminal import Style, Terminal

__all__ = ["render_report"]


def render_report(data: dict[str, Any], term: Terminal) -> None:
    """The whole report: a headline, then one table per section that has content."""
    path = data["config"]
    if not data["valid"]:
        _broken(data, term)
        return
    term.print(f"{path}: valid", style=Style.OK)
    _routes(data["routes"], term)
    _models(data["models"], term)
    _tiers(data["models"], term)
    _providers(data["providers"], term)
    _budgets(data["budgets"], term)
    for extra in data.get("tables", []):  # sections contributed as {title, headers, rows}
        term.print("")
        term.table(extra["headers"], extra["rows"], title=extra["title"])
    _env(data, term)
    if data["warnings"]:
        term.print("")
        term.print("Warnings:", style=Style.WARN)
        for warning in data["warnings"]:
            term.print(f"  {warning}")


def _broken(data: dict[str, Any], term: Terminal) -> None:
    path = data["config"]
    if data["litellm_config"]:
        term.print(
            f"{path} is a litellm config. Convert it: llmrouter migrate {path} > llmrouter.yaml",
            style=Style.BAD,
        )
    problems = data["problems"]
    if len(problems) == 1:
        term.print(f"invalid llmrouter config: {problems[0]['text']}", style=Style.BAD)
        return
    term.print("invalid llmrouter config:", style=Style.BAD)
    for problem in problems:
        term.print(f"  {problem['text']}")


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def _distinct(value: float | None, base: float | None) -> str:
    return "-" if value is None or value == base else _money(value)


def _routes(routes: list[dict[str, Any]], term: Terminal) -> None:
    term.print("")
    if not routes:
        term.print("Routes: none (call models by name)")
        return
    rows = [
        (
            r["name"],
            r["strategy"],
            " -> ".join(r["models"]),
            r["retries"],
            f"{r['timeout_s']:g}",
            f"{r['attempt_timeout_s']:g}" if r["attempt_timeout_s"] else "-",
        )
        for r in routes
    ]
    headers = ("route", "strategy", "models (fallback order)", "retries", "timeout_s", "attempt_s")
    term.table(headers, rows, title="Routes", no_wrap=(0, 1, 3, 4, 5))


def _models(models: list[dict[str, Any]], term: Terminal) -> None:
    known = [m for m in models if m["tiers"]]
    cached = any(
        t["cached_input_per_mtok"] != t["input_per_mtok"] for m in known for t in m["tiers"]
    )
    reasoning = any(
        t["reasoning_per_mtok"] != t["output_per_mtok"] for m in known for t in m["tiers"]
    )
    converted = any(m["currency"] != "USD" for m in models)
    headers = ["model", "provider", "litellm model", "adapter", "in", "out"]
    headers += ["cached in"] * cached + ["reasoning"] * reasoning
    headers += ["context", "price"] + ["currency"] * converted
    rows = []
    for m in models:
        row = [m["name"], m["provider"], m["model"], m["adapter"]]
        row += [_money(m["input_per_mtok"]), _money(m["output_per_mtok"])]
        if cached:
            row.append(_distinct(m["cached_input_per_mtok"], m["input_per_mtok"]))
        if reasoning:
            row.append(_distinct(m["reasoning_per_mtok"], m["output_per_mtok"]))
        window = m["context_window"]
        tiers = " (tiers)" if len(m["tiers"]) > 1 else ""
        row += [f"{window:,}" if window else "?", m["price_source"] + tiers]
        if converted:
            usd = m["currency"] == "USD"
            row.append("USD" if usd else f"{m['currency']}={m['usd_per_unit']:g} USD")
        rows.append(row)
    term.print("")
    numbers = tuple(range(4, len(headers)))
    term.table(headers, rows, title="Models (USD per million tokens)", no_wrap=(0, 3, *numbers))


def _tiers(models: list[dict[str, Any]], term: Terminal) -> None:
    rows = []
    for m in models:
        if len(m["tiers"]) < 2:
            continue
        lower = 0
        for tier in m["tiers"]:
            bound = tier["max_input_tokens"]
            span = f"> {lower:,}" if bound is None else f"{lower:,} - {bound:,}"
            prices = ("input", "output", "cached_input", "reasoning")
            rows.append((m["name"], span, *(_money(tier[f"{k}_per_mtok"]) for k in prices)))
            lower = bound or lower
    if rows:
        term.print("")
        headers = ("model", "prompt tokens", "in", "out", "cached in", "reasoning")
        term.table(
            headers, rows, title="Price tiers (chosen by the prompt's tokens)", no_wrap=range(6)
        )


def _providers(providers: list[dict[str, Any]], term: Terminal) -> None:
    rows = []
    for p in providers:
        var, state = p["api_key_env"], p["api_key"]
        key = "-" if var is None else f"{var}\n({state if state == 'set' else state.upper()})"
        endpoint = f"{p['api_base'] or '(none)'}\n({p['api_base_from']})"
        rows.append((p["name"], endpoint, key, p["region"] or ""))
    term.print("")
    headers = ("provider", "endpoint (where traffic goes)", "api key", "region")
    term.table(headers, rows, title="Providers", no_wrap=(0, 3))


def _budgets(budgets: dict[str, Any], term: Terminal) -> None:
    if not budgets["limits"]:
        return
    where = "this process" if budgets["counted_in"] == "memory" else "redis (shared)"
    rows = [(b["scope"], f"${b['limit_usd']:g}", b["window"]) for b in budgets["limits"]]
    term.print("")
    term.table(
        ("scope", "limit", "window (UTC, fixed)"), rows, title=f"Budgets (counted in {where})"
    )


def _env(data: dict[str, Any], term: Terminal) -> None:
    if data["missing_env"]:
        term.print("")
        term.print(
            "Missing environment variables (set them before serving traffic):", style=Style.BAD
        )
        for item in data["missing_env"]:
            term.print(f"  {item['variable']}  ({item['where']})")
    if data["empty_env"]:
        term.print("")
        term.print(
            "Empty API keys (set but empty; the provider would refuse them):", style=Style.BAD
        )
        for item in data["empty_env"]:
            term.print(f"  {item['variable']}  ({item['where']})")
