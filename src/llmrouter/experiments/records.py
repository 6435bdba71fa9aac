"""The rows of the results store: one `ResultRecord` per answer graded, whatever produced it.

An eval writes one record per (route, case, repeat); a shadow pair (issue: shadow traffic) will
write one per candidate answer compared with the primary's, and a canary one per canary
request. `source` says which; `run_id` groups the records of one eval run (or one shadow or
canary experiment), and `RunInfo` names its routes, the first being the baseline.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CheckOutcome", "RecordKey", "ResultRecord", "RunInfo", "Source", "Status"]

Source = Literal["eval", "shadow", "canary"]
Status = Literal["ok", "refused", "error"]
"""`ok`: an answer was graded; `refused`: a content filter or a refusal (never passes);
`error`: no answer (the fault kind is in `error_kind`; never passes)."""

RecordKey = tuple[str, str, str, str, int]
"""(source, run_id, route, case_id, repeat): one record per key; a later one replaces it."""


class _Row(BaseModel):
    # Rows written by a newer llmrouter may carry more fields: ignore them, never fail.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class CheckOutcome(_Row):
    """One check (or comparator) applied to one answer."""

    name: str
    """The check kind: `contains`, `regex`, `json_schema`, `tool_call`, `similarity`, `judge`,
    `json_valid`, `tool_calls`, `answered`."""
    passed: bool
    score: float = Field(ge=0, le=1)
    """1.0 or 0.0 for pass/fail checks; the measure itself for `similarity` and `judge`."""
    detail: str | None = None
    """Why it failed, without the answer's text (unless content capture is on)."""


class ResultRecord(_Row):
    """One graded answer (or its absence)."""

    source: Source = "eval"
    run_id: str
    route: str
    """The route (or model) that produced the answer: for shadows and canaries, the candidate."""
    case_id: str
    """The case id of an eval; for shadows and canaries, the request id."""
    repeat: int = Field(default=0, ge=0)
    status: Status
    passed: bool
    error_kind: str | None = None
    """For `error`: the fault kind (`llmrouter.errors` `kind`, e.g. `unavailable`, `timeout`);
    for `refused`: `content_filter` or `refusal`."""
    checks: tuple[CheckOutcome, ...] = ()
    latency_s: float = Field(default=0.0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0)
    judge_cost_usd: float = Field(default=0.0, ge=0)
    """What grading with a judge route cost, kept apart from `cost_usd`."""
    model: str | None = None
    """The model entry that answered."""
    attempts: int = Field(default=0, ge=0)
    case_hash: str = ""
    """Fingerprint of the case as run: a changed case is run again on resume."""
    at: float = 0.0
    """Unix time the result completed."""
    answer: str | None = None
    """The answer's text, only when `experiments.capture_content` is on."""

    @property
    def key(self) -> RecordKey:
        return (self.source, self.run_id, self.route, self.case_id, self.repeat)

    @property
    def refused(self) -> bool:
        return self.status == "refused"

    @property
    def errored(self) -> bool:
        return self.status == "error"


class RunInfo(_Row):
    """One eval run, or one shadow or canary experiment: its routes, baseline first."""

    run_id: str
    source: Source = "eval"
    routes: tuple[str, ...] = Field(min_length=1)
    started_at: float = 0.0
    label: str = ""
    """What was run: the prompt file's name for an eval."""

    @property
    def baseline(self) -> str:
        return self.routes[0]
