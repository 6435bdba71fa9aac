"""What `llmrouter check` says about routes of embedding models (docs/embeddings.md).

A route is one fallback order, so a route of embedding models should hold deployments of one
model: vectors of two models cannot be compared, and a fallback would write the second model's
vectors into an index built with the first's. A model that serves no embeddings (a chat model,
or a vendor without an embeddings API) in such a route is skipped by every embedding request.
"""

from __future__ import annotations

from llmrouter.config.loader import LoadedConfig
from llmrouter.config.schema import ModelConfig
from llmrouter.routing.eligibility import capabilities_for
from llmrouter.vendors import model_ref

__all__ = ["embedding_route_warnings", "embeds"]


def embeds(entry: ModelConfig) -> bool | None:
    """True for an embedding model (the price map says so, or its id names embeddings), False
    for a model that serves none, None when unknown."""
    caps = capabilities_for(entry)
    if caps.embeddings is False:
        return False
    if caps.embeddings or "embed" in model_ref(entry.model).model_id.lower():
        return True
    return None


def embedding_route_warnings(loaded: LoadedConfig) -> list[str]:
    """One warning per route that mixes embedding models, or lists with them a model that
    serves no embeddings."""
    config = loaded.config
    out: list[str] = []
    for name, route in config.routes.items():
        entries = [(m, config.models[m]) for m in route.models if m in config.models]
        kinds = {m: embeds(entry) for m, entry in entries}
        models = sorted({model_ref(e.model).model_id for m, e in entries if kinds[m]})
        if not models:
            continue
        path = ("routes", name, "models")
        where = loaded.locate(path).describe(path)
        if len(models) > 1:
            out.append(
                f"{where}: mixes the embedding models {', '.join(models)}: their vectors cannot "
                "be compared, so a fallback would mix them in one index; list deployments of "
                "one model per route"
            )
        idle = [m for m, kind in kinds.items() if kind is False]
        if idle:
            them = "it" if len(idle) == 1 else "them"
            out.append(
                f"{where}: no embeddings from {', '.join(idle)}: an embedding request skips "
                f"{them} (no_embeddings)"
            )
    return out
