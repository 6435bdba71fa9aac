"""`llmrouter migrate`: turn a litellm Router or proxy config into an llmrouter config.

```python
from llmrouter.migrate import migrate_text

migration = migrate_text(open("litellm.yaml").read(), source="litellm.yaml")
migration.config   # a mapping of llmrouter's YAML shape (validates with llmrouter.config)
migration.notes    # one line per setting with no equivalent, or converted with a caveat
print(migration.to_yaml())
```

What maps to what is in docs/migrating-from-litellm.md. Every litellm `model_list` entry
becomes a model (a deployment) and each `model_name` group a route of the same name, so
applications keep calling the names they called; endpoints and keys move to `providers:`,
`os.environ/VAR` becomes `${VAR}`, and a literal key is replaced by an environment reference
(llmrouter refuses keys in files).
"""

from __future__ import annotations

from llmrouter.migrate.convert import Migration, migrate_data, migrate_text

__all__ = ["Migration", "migrate_data", "migrate_text"]
