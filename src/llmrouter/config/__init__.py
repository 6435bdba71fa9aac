"""Configuration: the YAML shape, loading with file:line errors, and secret references."""

from llmrouter.config.loader import LoadedConfig, load_dict, load_file, load_text
from llmrouter.config.schema import (
    FaultPolicyOverride,
    ModelConfig,
    ProviderConfig,
    RouteConfig,
    RouterConfig,
)
from llmrouter.config.secrets import Redactor, ResolvedProvider

__all__ = [
    "FaultPolicyOverride",
    "LoadedConfig",
    "ModelConfig",
    "ProviderConfig",
    "Redactor",
    "ResolvedProvider",
    "RouteConfig",
    "RouterConfig",
    "load_dict",
    "load_file",
    "load_text",
]
