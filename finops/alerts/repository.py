"""SQL for alerts, silences, channels, rules, budgets and the notification outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, text


def _rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(text(sql), params)]


# --- alerts ---


def firing_alerts(conn: Connection, project_id: int, rule: str) -> list[dict[str, Any]]:
    return _rows(
        conn,
        "SELECT * FROM alerts WHERE project_id = :project AND rule = :rule AND status = 'firing'",
        project=project_id,
        rule=rule,
    )


def alert_exists(conn: Connection, project_id: int, dedup_key: str) -> bool:
    return (
        conn.execute(
            text("SELECT 1 FROM alerts WHERE project_id = :project AND dedup_key = :key"),
            {"project": project_id, "key": dedup_key},
        ).first()
        is not None
    )


def last_resolved_at(conn: Connection, project_id: int, rule: str, kind: str, value: str | None) -> datetime | None:
    return conn.execute(
        text(
            "SELECT max(resolved_at) FROM alerts WHERE project_id = :project AND rule = :rule"
            " AND scope_kind = :kind AND scope_value IS NOT DISTINCT FROM :value"
        ),
        {"project": project_id, "rule": rule, "kind": kind, "value": value},
    ).scalar()


def insert_alert(conn: Connection, values: dict[str, Any]) -> int:
    values = {**values, "numbers": orjson.dumps(values["numbers"], default=str).decode()}
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    return conn.execute(
        text(f"INSERT INTO alerts ({columns}) VALUES ({placeholders}) RETURNING id"), values
    ).scalar_one()


def refresh_alert(conn: Connection, alert_id: int, values: dict[str, Any]) -> None:
    values = {**values, "numbers": orjson.dumps(values["numbers"], default=str).decode()}
    sets = ", ".join(f"{name} = :{name}" for name in values)
    conn.execute(text(f"UPDATE alerts SET {sets}, last_fired_at = now() WHERE id = :id"), {**values, "id": alert_id})


def resolve_alert(conn: Connection, alert_id: int, now: datetime) -> None:
    conn.execute(
        text("UPDATE alerts SET status = 'resolved', resolved_at = :now WHERE id = :id"), {"now": now, "id": alert_id}
    )


def is_silenced(conn: Connection, project_id: int, rule: str, kind: str, value: str | None, now: datetime) -> bool:
    found = conn.execute(
        text(
            """
            SELECT 1 FROM alert_silences
            WHERE project_id = :project AND until > :now
              AND (rule IS NULL OR rule = :rule) AND (scope_kind IS NULL OR scope_kind = :kind)
              AND (scope_value IS NULL OR scope_value = :value)
            LIMIT 1
            """
        ),
        {"project": project_id, "now": now, "rule": rule, "kind": kind, "value": value},
    ).first()
    return found is not None


def add_silence(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    return conn.execute(
        text(
            "INSERT INTO alert_silences (project_id, rule, scope_kind, scope_value, until, reason)"
            " VALUES (:project, :rule, :scope_kind, :scope_value, :until, :reason) RETURNING id"
        ),
        {"project": project_id, **values},
    ).scalar_one()


def acknowledge(conn: Connection, project_id: int, alert_id: int, by: str | None, now: datetime) -> bool:
    result = conn.execute(
        text(
            "UPDATE alerts SET acknowledged_at = :now, acknowledged_by = :by WHERE project_id = :project AND id = :id"
        ),
        {"now": now, "by": by, "project": project_id, "id": alert_id},
    )
    return result.rowcount == 1


def list_alerts(
    conn: Connection, project_id: int, status: str | None, since: datetime | None, limit: int
) -> list[dict[str, Any]]:
    clauses = ["project_id = :project"]
    params: dict[str, Any] = {"project": project_id, "limit": limit}
    if status:
        clauses.append("status = :status")
        params["status"] = status
    if since:
        clauses.append("last_fired_at >= :since")
        params["since"] = since
    return _rows(
        conn,
        f"SELECT * FROM alerts WHERE {' AND '.join(clauses)} ORDER BY last_fired_at DESC, id DESC LIMIT :limit",
        **params,
    )


def get_alert(conn: Connection, project_id: int, alert_id: int) -> dict[str, Any] | None:
    rows = _rows(conn, "SELECT * FROM alerts WHERE project_id = :project AND id = :id", project=project_id, id=alert_id)
    return rows[0] if rows else None


# --- channels, rules, budgets ---


def channels(conn: Connection, project_id: int, enabled_only: bool = True) -> list[dict[str, Any]]:
    where = " AND enabled" if enabled_only else ""
    return _rows(
        conn, f"SELECT * FROM alert_channels WHERE project_id = :project{where} ORDER BY name", project=project_id
    )


def upsert_channel(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    return conn.execute(
        text(
            """
            INSERT INTO alert_channels (project_id, name, kind, url, secret, enabled, origin)
            VALUES (:project, :name, :kind, :url, :secret, :enabled, :origin)
            ON CONFLICT (project_id, name) DO UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url,
                secret = coalesce(EXCLUDED.secret, alert_channels.secret), enabled = EXCLUDED.enabled,
                origin = EXCLUDED.origin
            RETURNING id
            """
        ),
        {"project": project_id, **values},
    ).scalar_one()


def delete_channel(conn: Connection, project_id: int, name: str) -> bool:
    result = conn.execute(
        text("DELETE FROM alert_channels WHERE project_id = :project AND name = :name"),
        {"project": project_id, "name": name},
    )
    return result.rowcount == 1


def rules(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    return _rows(conn, "SELECT * FROM alert_rules WHERE project_id = :project ORDER BY name", project=project_id)


def upsert_rule(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    values = {**values, "params": orjson.dumps(values.get("params") or {}).decode()}
    return conn.execute(
        text(
            """
            INSERT INTO alert_rules (project_id, name, detector, scope_kind, params, channels, cooldown_minutes,
                                     enabled, origin)
            VALUES (:project, :name, :detector, :scope_kind, CAST(:params AS jsonb), :channels, :cooldown_minutes,
                    :enabled, :origin)
            ON CONFLICT (project_id, name) DO UPDATE SET detector = EXCLUDED.detector,
                scope_kind = EXCLUDED.scope_kind, params = EXCLUDED.params, channels = EXCLUDED.channels,
                cooldown_minutes = EXCLUDED.cooldown_minutes, enabled = EXCLUDED.enabled, origin = EXCLUDED.origin
            RETURNING id
            """
        ),
        {"project": project_id, **values},
    ).scalar_one()


def delete_rule(conn: Connection, project_id: int, name: str) -> bool:
    result = conn.execute(
        text("DELETE FROM alert_rules WHERE project_id = :project AND name = :name"),
        {"project": project_id, "name": name},
    )
    return result.rowcount == 1


def budgets(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    return _rows(conn, "SELECT * FROM budgets WHERE project_id = :project ORDER BY name", project=project_id)


def upsert_budget(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    return conn.execute(
        text(
            """
            INSERT INTO budgets (project_id, name, scope_kind, scope_value, period, amount, currency, thresholds,
                                 channels, origin)
            VALUES (:project, :name, :scope_kind, :scope_value, :period, :amount, :currency, :thresholds,
                    :channels, :origin)
            ON CONFLICT (project_id, name) DO UPDATE SET scope_kind = EXCLUDED.scope_kind,
                scope_value = EXCLUDED.scope_value, period = EXCLUDED.period, amount = EXCLUDED.amount,
                currency = EXCLUDED.currency, thresholds = EXCLUDED.thresholds, channels = EXCLUDED.channels,
                origin = EXCLUDED.origin
            RETURNING id
            """
        ),
        {"project": project_id, **values},
    ).scalar_one()


# --- outbox ---


def enqueue(
    conn: Connection, project_id: int, alert_id: int, channel_ids: list[int], event: str, now: datetime
) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in channel_ids]
    if channel_ids:
        conn.execute(
            text(
                """
                INSERT INTO alert_notifications (id, project_id, alert_id, channel_id, event, status, next_attempt_at,
                                                 created_at)
                SELECT CAST(n AS uuid), :project, :alert, c, :event, 'pending', :now, :now
                FROM unnest(CAST(:ids AS text[]), CAST(:channels AS bigint[])) AS x(n, c)
                """
            ),
            {"project": project_id, "alert": alert_id, "event": event, "ids": ids, "channels": channel_ids, "now": now},
        )
    return ids


def claim_due(conn: Connection, now: datetime, lease_seconds: int, limit: int) -> list[dict[str, Any]]:
    """Take due notifications for sending. A lease, not a lock: if this process dies mid-send, the
    notification is due again when the lease expires (at-least-once, always with the same id)."""
    return _rows(
        conn,
        """
        UPDATE alert_notifications n
        SET status = 'sending', lease_until = CAST(:now AS timestamptz) + make_interval(secs => :lease),
            attempts = n.attempts + 1
        FROM (
            SELECT id FROM alert_notifications
            WHERE (status = 'pending' AND next_attempt_at <= :now) OR (status = 'sending' AND lease_until < :now)
            ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED
        ) due
        WHERE n.id = due.id
        RETURNING n.*
        """,
        now=now,
        lease=lease_seconds,
        limit=limit,
    )


def mark_delivered(conn: Connection, notification_id: str, status: int | None, now: datetime) -> None:
    conn.execute(
        text(
            "UPDATE alert_notifications SET status = 'delivered', delivered_at = :now, last_status = :status,"
            " last_error = NULL, lease_until = NULL WHERE id = CAST(:id AS uuid)"
        ),
        {"now": now, "status": status, "id": notification_id},
    )


def mark_retry(
    conn: Connection, notification_id: str, status: int | None, error: str | None, next_at: datetime
) -> None:
    conn.execute(
        text(
            "UPDATE alert_notifications SET status = 'pending', next_attempt_at = :next, last_status = :status,"
            " last_error = :error, lease_until = NULL WHERE id = CAST(:id AS uuid)"
        ),
        {"next": next_at, "status": status, "error": error, "id": notification_id},
    )


def mark_failed(conn: Connection, notification_id: str, status: int | None, error: str | None) -> None:
    conn.execute(
        text(
            "UPDATE alert_notifications SET status = 'failed', last_status = :status, last_error = :error,"
            " lease_until = NULL WHERE id = CAST(:id AS uuid)"
        ),
        {"status": status, "error": error, "id": notification_id},
    )


def channel(conn: Connection, channel_id: int) -> dict[str, Any] | None:
    rows = _rows(conn, "SELECT * FROM alert_channels WHERE id = :id", id=channel_id)
    return rows[0] if rows else None


def failed_notifications(conn: Connection, project_id: int, since: datetime) -> list[dict[str, Any]]:
    return _rows(
        conn,
        """
        SELECT c.name AS channel, count(*) AS failed, max(n.last_error) AS last_error
        FROM alert_notifications n JOIN alert_channels c ON c.id = n.channel_id
        WHERE n.project_id = :project AND n.status = 'failed' AND n.created_at >= :since
        GROUP BY c.name
        """,
        project=project_id,
        since=since,
    )
