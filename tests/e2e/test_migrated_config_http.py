"""A litellm config, converted by `llmrouter migrate`, routes over loopback HTTP: the group
answers, and its litellm `fallbacks` take over when it fails."""

from __future__ import annotations

from llmrouter import Router
from llmrouter.migrate import migrate_text
from llmrouter.testing import Fault, LocalProviderServer
from support import user

LITELLM = """\
model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {gpt}
      api_key: os.environ/OPENAI_API_KEY
  - model_name: backup
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: {claude}
      api_key: os.environ/ANTHROPIC_API_KEY
router_settings:
  num_retries: 0
  fallbacks: [{{"chat": ["backup"]}}]
"""


async def test_migrated_fallbacks_take_over() -> None:
    async with LocalProviderServer() as server:
        gpt = server.add_provider("gpt", wire="openai")
        claude = server.add_provider("claude", wire="anthropic")
        migration = migrate_text(LITELLM.format(gpt=gpt.api_base, claude=claude.api_base))
        assert migration.problems == []
        env = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2"}
        async with Router.from_dict(migration.config, env=env) as router:
            first = await router.acompletion(model="chat", messages=user())
            gpt.fail_next(Fault.overloaded())
            second = await router.acompletion(model="chat", messages=user())
    assert first.route.model == "gpt-4o-mini"
    assert second.route.model == "claude-sonnet-4-5"
    assert [a.error for a in second.route.attempts] == ["overloaded", None]
    assert gpt.requests[0].headers["authorization"] == "Bearer k1"
