"""Response caching parts: keys, the storage codec and single-flight (the request stage that
uses them is `llmrouter.pipeline.caching`)."""

from llmrouter.cache.keys import cache_key

__all__ = ["cache_key"]
