"""Response caching: keys, storage codec, single-flight and the request-path layer."""

from llmrouter.cache.keys import cache_key
from llmrouter.cache.layer import CacheDecision, ResponseCache

__all__ = ["CacheDecision", "ResponseCache", "cache_key"]
