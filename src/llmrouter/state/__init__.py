"""Shared state: a small store interface with an in-process default and a Redis implementation."""

from llmrouter.state.base import Store
from llmrouter.state.memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
