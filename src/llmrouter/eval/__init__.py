"""`llmrouter.eval`: run a prompt set across routes and compare them, from Python.

```python
from llmrouter.eval import evaluate

result = await evaluate(
    "prompts.jsonl", config="llmrouter.yaml", routes=["chat", "glm-only"], out="results.jsonl"
)
result.summaries["glm-only"].pass_rate, result.summaries["glm-only"].ci95
result.disagreements()        # cases where the routes' outcomes differ
result.to_json()              # what `llmrouter eval --json` prints
```
"""

from llmrouter.eval.api import DEFAULT_STORE, EvalResult, evaluate
from llmrouter.eval.cases import Case, cases_from, load_cases
from llmrouter.eval.outfile import read_results
from llmrouter.eval.probes import probe_set_path
from llmrouter.eval.progress import NoProgress, PlainProgress, Progress, RichProgress, progress_for

__all__ = [
    "DEFAULT_STORE",
    "Case",
    "EvalResult",
    "NoProgress",
    "PlainProgress",
    "Progress",
    "RichProgress",
    "cases_from",
    "evaluate",
    "load_cases",
    "probe_set_path",
    "progress_for",
    "read_results",
]
