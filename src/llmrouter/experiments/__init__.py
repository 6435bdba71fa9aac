"""Vendor qualification building blocks, shared by `llmrouter eval`, `llmrouter report` and
(later) shadow traffic and canaries: result records and their store, checks and comparators,
statistics, summaries and the verdict against `experiments.switch_criteria`.

Nothing here is imported by `import llmrouter`; heavy parts (rich, jsonschema, rapidfuzz)
load on first use.
"""

from llmrouter.experiments.answers import Answer, ToolCallAnswer, looks_like_refusal
from llmrouter.experiments.checks import CHECKS, build_check, grade
from llmrouter.experiments.comparators import COMPARATORS, build_comparator, text_similarity
from llmrouter.experiments.grading import Check, GradeContext, JudgeClient, JudgeReply
from llmrouter.experiments.outcomes import failure_of
from llmrouter.experiments.records import CheckOutcome, ResultRecord, RunInfo, Source, Status
from llmrouter.experiments.stats import percentile, wilson_interval
from llmrouter.experiments.store import ResultStore, open_store, store_for
from llmrouter.experiments.summary import CaseDiff, RouteSummary, disagreements, summarize
from llmrouter.experiments.verdict import Criterion, Verdict, agreement, judge_candidate

__all__ = [
    "CHECKS",
    "COMPARATORS",
    "Answer",
    "CaseDiff",
    "Check",
    "CheckOutcome",
    "Criterion",
    "GradeContext",
    "JudgeClient",
    "JudgeReply",
    "ResultRecord",
    "ResultStore",
    "RouteSummary",
    "RunInfo",
    "Source",
    "Status",
    "ToolCallAnswer",
    "Verdict",
    "agreement",
    "build_check",
    "build_comparator",
    "disagreements",
    "failure_of",
    "grade",
    "judge_candidate",
    "looks_like_refusal",
    "open_store",
    "percentile",
    "store_for",
    "summarize",
    "text_similarity",
    "wilson_interval",
]
