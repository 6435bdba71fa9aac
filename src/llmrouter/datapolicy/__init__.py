"""Data policy (which data may go to which provider), blocks, and the per-request audit.

See docs/data-policy.md. The request path uses `PolicyGate` (classes and blocks behind one
check), `AuditTrail` and `AuditLog`; `EnforcingProvider` is the backstop that refuses any call
the gate would not allow.
"""

from llmrouter.datapolicy.audit import LEG_KINDS, AuditExclusion, AuditLeg, AuditRecord, AuditTrail
from llmrouter.datapolicy.audit_file import JsonlAuditFile
from llmrouter.datapolicy.audit_sinks import (
    AuditLog,
    AuditSink,
    CallbackAuditSink,
    add_audit_event,
    audit_event_attributes,
)
from llmrouter.datapolicy.blocks import Block, BlockSet
from llmrouter.datapolicy.enforce import EnforcingProvider, policy_scope
from llmrouter.datapolicy.facts import CandidateFacts, facts_from_config
from llmrouter.datapolicy.gate import PolicyGate
from llmrouter.datapolicy.rules import DataClass, DataPolicy, Exclusion, evaluate

__all__ = [
    "LEG_KINDS",
    "AuditExclusion",
    "AuditLeg",
    "AuditLog",
    "AuditRecord",
    "AuditSink",
    "AuditTrail",
    "Block",
    "BlockSet",
    "CallbackAuditSink",
    "CandidateFacts",
    "DataClass",
    "DataPolicy",
    "EnforcingProvider",
    "Exclusion",
    "JsonlAuditFile",
    "PolicyGate",
    "add_audit_event",
    "audit_event_attributes",
    "evaluate",
    "facts_from_config",
    "policy_scope",
]
