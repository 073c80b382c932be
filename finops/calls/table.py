"""Fixed-width lines for `finops calls tail`."""

from __future__ import annotations

from finops.ingest.models import LlmCall

_FORMAT = "{time:<19}  {model:<28} {input:>8} {cache_read:>8} {cache_write:>8} {output:>7} {reasoning:>7}  {who}"


def header() -> str:
    return _FORMAT.format(
        time="START (UTC)", model="MODEL", input="INPUT", cache_read="C.READ", cache_write="C.WRITE",
        output="OUTPUT", reasoning="REASON", cost="COST", who="WORKFLOW / AGENT / TEAM  [TRACE]",
    )  # fmt: skip


def format_call(call: LlmCall) -> str:
    who = " / ".join(part or "-" for part in (call.workflow_name, call.agent_name, call.team))
    return _FORMAT.format(
        time=call.start_time.strftime("%Y-%m-%d %H:%M:%S"),
        model=(call.model or "?")[:28],
        input=call.input_tokens,
        cache_read=call.cache_read_tokens,
        cache_write=call.cache_write_tokens + call.cache_write_1h_tokens,
        output=call.output_tokens,
        reasoning=call.reasoning_tokens,
        cost="unpriced" if call.cost_total is None else f"{call.cost_total:.6f}",
        who=f"{who}  [{call.trace_id[:12]}]",
    )
