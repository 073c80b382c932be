"""SQL for projects and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from finops.projects.models import ApiKey, Project


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    id: int
    name: str
    created_at: datetime
    active_keys: int


def get_by_name(session: Session, name: str) -> Project | None:
    return session.scalar(select(Project).where(Project.name == name))


def add_project(session: Session, name: str) -> Project:
    project = Project(name=name)
    session.add(project)
    session.flush()
    return project


def add_key(session: Session, project_id: int, key_hash: str, key_prefix: str) -> ApiKey:
    key = ApiKey(project_id=project_id, key_hash=key_hash, key_prefix=key_prefix)
    session.add(key)
    session.flush()
    return key


def project_id_for_key_hash(session: Session, key_hash: str) -> int | None:
    return session.scalar(select(ApiKey.project_id).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)))


def key_id_for_hash(session: Session | Connection, key_hash: str) -> int | None:
    return session.scalar(select(ApiKey.id).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)))


def project_ids(session: Session | Connection) -> list[int]:
    return list(session.scalars(select(Project.id).order_by(Project.id)))


def project_name(session: Session | Connection, project_id: int) -> str | None:
    return session.scalar(select(Project.name).where(Project.id == project_id))


def project_id_named(session: Session | Connection, name: str) -> int | None:
    return session.scalar(select(Project.id).where(Project.name == name))


def list_projects(session: Session) -> list[ProjectSummary]:
    active = func.count(ApiKey.id).filter(ApiKey.revoked_at.is_(None))
    rows = session.execute(
        select(Project.id, Project.name, Project.created_at, active)
        .outerjoin(ApiKey, ApiKey.project_id == Project.id)
        .group_by(Project.id)
        .order_by(Project.name)
    )
    return [ProjectSummary(*row) for row in rows]


def count_projects(session: Session) -> int:
    return session.scalar(select(func.count(Project.id))) or 0
