"""Group-commit writer: requests hand over rows and are answered only once their rows are durable.

One task per process drains the queue: everything waiting (up to a span budget) is copied into
temporary staging tables with COPY and moved into the real tables by INSERT ... ON CONFLICT DO
NOTHING in one transaction, so retried exports never double a row and a failure leaves nothing
half-written. Each request's future resolves after COMMIT; a full queue or an unreachable database
is reported at once so the receiver can answer 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from finops.api import metrics
from finops.errors import DatabaseUnavailable, WriterSaturated
from finops.ingest.normalise import CALL_COLUMNS, SPAN_COLUMNS, NormalisedBatch

log = logging.getLogger(__name__)

_STAGING_DDL = """
CREATE TEMP TABLE IF NOT EXISTS stage_resources (
    project_id bigint, resource_hash bigint, attributes jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_spans (
    project_id bigint, trace_id text, span_id text, parent_span_id text, name text, kind text,
    otel_kind smallint, status_code smallint, status_message text, start_time timestamptz,
    end_time timestamptz, service_name text, scope_name text, resource_hash bigint,
    output_chars integer, attributes jsonb, has_genai boolean
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_calls (LIKE llm_calls INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
"""

_SPAN_TYPES = [
    "int8", "text", "text", "text", "text", "text", "int2", "int2", "text", "timestamptz",
    "timestamptz", "text", "text", "int8", "int4", "jsonb", "bool",
]  # fmt: skip
_CALL_TYPES = [
    "int8", "text", "text", "text", "timestamptz", "timestamptz", "text", "text", "text", "text", "text",
    "int8", "int8", "int8", "int8", "int8", "int8", "jsonb", "jsonb", "text", "numeric", "int8",
    "text[]", "text", "bool", "text", "text", "text", "text", "text", "text", "text", "text", "text",
    "text", "text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric",
    "text", "int8", "text",
]  # fmt: skip

_SPAN_LIST = ", ".join(SPAN_COLUMNS)
_CALL_LIST = ", ".join(CALL_COLUMNS)

# A span without GenAI activity in its own request is kept only when its trace already has some
# (a plain HTTP root span usually arrives after its LLM children).
_INSERT_SPANS = f"""
INSERT INTO spans ({_SPAN_LIST})
SELECT {_SPAN_LIST} FROM stage_spans s
WHERE s.has_genai OR %(keep_all)s OR EXISTS (
    SELECT 1 FROM spans t WHERE t.project_id = s.project_id AND t.trace_id = s.trace_id
)
ON CONFLICT DO NOTHING
"""
# Two instrumentations wrapping the same model call (say a framework's LLM span around the SDK
# client's) would count it twice: only the innermost LLM span of a nesting is a call. The check is a
# LATERAL probe with LIMIT 1 so that it always runs as one index lookup per staged call; as NOT EXISTS
# the planner, misled by stale statistics, may hash-join against every LLM span ever stored.
_INSERT_CALLS = f"""
INSERT INTO llm_calls ({_CALL_LIST})
SELECT {", ".join("c." + column for column in CALL_COLUMNS)} FROM stage_calls c
LEFT JOIN LATERAL (
    SELECT 1 AS found FROM spans child
    WHERE child.project_id = c.project_id AND child.trace_id = c.trace_id
      AND child.parent_span_id = c.span_id AND child.kind = 'llm'
    LIMIT 1
) wrapped ON true
WHERE wrapped.found IS NULL
ON CONFLICT DO NOTHING
"""
_DELETE_WRAPPING_CALLS = """
DELETE FROM llm_calls p USING stage_spans child
WHERE child.kind = 'llm' AND p.project_id = child.project_id AND p.trace_id = child.trace_id
  AND p.span_id = child.parent_span_id
"""
# Every trace that gained spans is queued for workflow assembly in the same transaction. A trace with
# GenAI spans in this group qualifies as is; one with only plain spans qualifies when it was stored
# before (its late root, say), checked with one index probe per span as the LLM-parent check is.
_MARK_TRACES_DIRTY = """
INSERT INTO workflow_dirty_traces (project_id, trace_id)
SELECT DISTINCT s.project_id, s.trace_id FROM stage_spans s
LEFT JOIN LATERAL (
    SELECT 1 AS found FROM spans t WHERE t.project_id = s.project_id AND t.trace_id = s.trace_id LIMIT 1
) known ON NOT s.has_genai
WHERE s.has_genai OR known.found IS NOT NULL
ON CONFLICT DO NOTHING
"""
_INSERT_RESOURCES = """
INSERT INTO resources (project_id, resource_hash, attributes)
SELECT DISTINCT ON (project_id, resource_hash) project_id, resource_hash, attributes FROM stage_resources
ON CONFLICT DO NOTHING
"""


@dataclass(slots=True, frozen=True)
class WriteResult:
    spans_written: int  # new rows; retried spans already stored are not counted
    calls_written: int
    group_size: int  # requests that shared this commit


@dataclass(slots=True)
class _Pending:
    project_id: int
    batch: NormalisedBatch
    future: asyncio.Future[WriteResult]

    @property
    def size(self) -> int:
        return len(self.batch.spans)


class SpanWriter:
    def __init__(
        self,
        conninfo: str,
        *,
        max_batch_spans: int = 20_000,
        max_pending_spans: int = 100_000,
        keep_all_spans: bool = False,
        connect_timeout: float = 3.0,
    ) -> None:
        self._conninfo = conninfo
        self._max_batch_spans = max_batch_spans
        self._max_pending_spans = max_pending_spans
        self._keep_all = keep_all_spans
        self._connect_timeout = connect_timeout
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._pending_spans = 0
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_connect_failure = 0.0
        self.last_write_seconds = 0.0

    @property
    def pending_spans(self) -> int:
        return self._pending_spans

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="finops-span-writer")

    async def stop(self) -> None:
        """Finish what is queued, then close the connection."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def write(self, project_id: int, batch: NormalisedBatch) -> WriteResult:
        """Return once the batch is committed; raise WriterSaturated or DatabaseUnavailable."""
        if not batch.spans:
            return WriteResult(0, 0, 0)
        if self._pending_spans and self._pending_spans + len(batch.spans) > self._max_pending_spans:
            raise WriterSaturated(f"{self._pending_spans} spans are waiting to be written")
        # While the database is known to be down, fail fast instead of queueing doomed work.
        if self._conn is None and time.monotonic() - self._last_connect_failure < 1.0:
            raise DatabaseUnavailable("the database is unreachable")
        future: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        self._pending_spans += len(batch.spans)
        metrics.WRITER_PENDING_SPANS.set(self._pending_spans)
        self._queue.put_nowait(_Pending(project_id, batch, future))
        return await future

    async def _run(self) -> None:
        while True:
            group = [await self._queue.get()]
            budget = self._max_batch_spans - group[0].size
            while budget > 0 and not self._queue.empty():
                item = self._queue.get_nowait()
                group.append(item)
                budget -= item.size
            try:
                await self._write_group(group)
            finally:
                for item in group:
                    self._pending_spans -= item.size
                    self._queue.task_done()
                metrics.WRITER_PENDING_SPANS.set(self._pending_spans)

    async def _write_group(self, group: list[_Pending]) -> None:
        started = time.perf_counter()
        try:
            spans, calls = await self._commit(group)
        except (psycopg.OperationalError, OSError) as exc:
            await self._drop_connection()
            metrics.WRITER_FAILURES.labels("database_unavailable").inc()
            log.warning("database unavailable, %d request(s) refused: %s", len(group), exc)
            for item in group:
                _fail(item, DatabaseUnavailable("the database is unreachable"))
            return
        except psycopg.Error as exc:
            await self._rollback()
            if len(group) > 1:
                # One request's rows broke the shared transaction: retry each alone so the others land.
                for item in group:
                    await self._write_group([item])
                return
            metrics.WRITER_FAILURES.labels("rejected_by_database").inc()
            log.error("could not store a request's spans: %s", exc)
            _fail(group[0], exc)
            return
        self.last_write_seconds = time.perf_counter() - started
        metrics.WRITER_COMMIT_SECONDS.observe(self.last_write_seconds)
        metrics.WRITER_GROUP_SPANS.observe(sum(item.size for item in group))
        metrics.WRITER_GROUP_REQUESTS.observe(len(group))
        metrics.SPANS_STORED.inc(spans)
        metrics.CALLS_STORED.inc(calls)
        result = WriteResult(spans_written=spans, calls_written=calls, group_size=len(group))
        for item in group:
            if not item.future.done():
                item.future.set_result(result)

    async def _commit(self, group: list[_Pending]) -> tuple[int, int]:
        conn = await self._connection()
        async with conn.cursor() as cur:
            async with cur.copy("COPY stage_resources (project_id, resource_hash, attributes) FROM STDIN") as copy:
                copy.set_types(["int8", "int8", "jsonb"])
                for item in group:
                    for resource_hash, attributes in item.batch.resources.items():
                        await copy.write_row((item.project_id, resource_hash, Jsonb(attributes, dumps=_raw)))
            async with cur.copy(f"COPY stage_spans ({_SPAN_LIST}, has_genai) FROM STDIN") as copy:
                copy.set_types(_SPAN_TYPES)
                for item in group:
                    for row, has_genai in zip(item.batch.spans, item.batch.span_has_genai, strict=True):
                        await copy.write_row((*row[:-1], Jsonb(row[-1], dumps=_raw), has_genai))
            async with cur.copy(f"COPY stage_calls ({_CALL_LIST}) FROM STDIN") as copy:
                copy.set_types(_CALL_TYPES)
                for item in group:
                    for row in item.batch.calls:
                        await copy.write_row(
                            (*row[:17], Jsonb(row[17], dumps=_raw), Jsonb(row[18], dumps=_raw), *row[19:])
                        )
            await cur.execute(_INSERT_RESOURCES)
            await cur.execute(_INSERT_SPANS, {"keep_all": self._keep_all})
            spans = cur.rowcount
            await cur.execute(_DELETE_WRAPPING_CALLS)
            await cur.execute(_INSERT_CALLS)
            calls = cur.rowcount
            await cur.execute(_MARK_TRACES_DIRTY)
        await conn.commit()
        return spans, calls

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            conn = await psycopg.AsyncConnection.connect(
                self._conninfo,
                connect_timeout=max(1, int(self._connect_timeout)),
                application_name="finops-ingest",
                # JIT compilation would cost more per commit than these short statements run for.
                options="-c jit=off -c statement_timeout=60000",
            )
            await conn.execute(_STAGING_DDL)
            await conn.commit()
        except (psycopg.OperationalError, OSError):
            self._last_connect_failure = time.monotonic()
            raise
        self._conn = conn
        return conn

    async def _drop_connection(self) -> None:
        self._last_connect_failure = time.monotonic()
        if self._conn is not None:
            try:
                await self._conn.close()
            except psycopg.Error:
                log.debug("error closing a broken connection", exc_info=True)
            self._conn = None

    async def _rollback(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.rollback()
            except psycopg.Error:
                await self._drop_connection()


def _raw(value: bytes) -> bytes:
    """The JSON is already serialised (orjson) in the normaliser; pass it through."""
    return value


def _fail(item: _Pending, exc: BaseException) -> None:
    if not item.future.done():
        item.future.set_exception(exc)
