"""Creating projects and keys, and resolving a presented key to its project."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from finops.errors import ConflictError, NotFoundError
from finops.projects import repository
from finops.projects.keys import display_prefix, generate_key, hash_key

PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True, slots=True)
class IssuedKey:
    project_id: int
    project_name: str
    key: str  # shown once; only its hash is stored


def validate_project_name(name: str) -> str:
    if not PROJECT_NAME.match(name):
        raise ValueError(
            "project names are 1-100 characters of letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return name


def create_project(session: Session, name: str) -> IssuedKey:
    validate_project_name(name)
    if repository.get_by_name(session, name) is not None:
        raise ConflictError(f"project {name!r} exists already")
    project = repository.add_project(session, name)
    return _issue_key(session, project.id, project.name)


def issue_key(session: Session, name: str) -> IssuedKey:
    project = repository.get_by_name(session, name)
    if project is None:
        raise NotFoundError(f"no project named {name!r}")
    return _issue_key(session, project.id, project.name)


def _issue_key(session: Session, project_id: int, project_name: str) -> IssuedKey:
    key = generate_key()
    repository.add_key(session, project_id, hash_key(key), display_prefix(key))
    return IssuedKey(project_id=project_id, project_name=project_name, key=key)


def project_for_key(session: Session, key: str) -> int | None:
    return repository.project_id_for_key_hash(session, hash_key(key))
