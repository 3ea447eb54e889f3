"""Editors: names and argon2 password hashes (pwdlib). Session-level helpers.

Every editorial Store method takes `actor`, an existing editor's name, and
refuses unknown actors (`UnknownEditor`). Authentication (`verify_editor`) is for
interactive front ends such as the web app; the CLI trusts `--as`.
"""

from __future__ import annotations

import re
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import utcnow
from storage.errors import EditorialError, UnknownEditor
from storage.schema import Editor

HASHER = PasswordHash((Argon2Hasher(),))
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
MIN_PASSWORD_LENGTH = 8
CRAWL_ACTOR_PREFIX = "crawl"


@cache
def _dummy_hash() -> str:
    return HASHER.hash("toolwatch-timing-equaliser")


def validate_name(name: str) -> str:
    if not NAME_RE.match(name) or name.startswith(CRAWL_ACTOR_PREFIX + ":"):
        raise EditorialError(
            f"invalid editor name {name!r}: letters, digits and . _ @ - (at most 128)"
        )
    return name


def add_editor(session: Session, name: str, password: str) -> Editor:
    validate_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EditorialError(f"password too short (at least {MIN_PASSWORD_LENGTH} characters)")
    if session.scalar(select(Editor.id).where(Editor.name == name)) is not None:
        raise EditorialError(f"editor {name!r} already exists")
    editor = Editor(name=name, password_hash=HASHER.hash(password), created_at=utcnow())
    session.add(editor)
    session.flush()
    return editor


def verify_editor(session: Session, name: str, password: str) -> bool:
    editor = session.scalar(select(Editor).where(Editor.name == name))
    if editor is None:
        HASHER.verify(password, _dummy_hash())  # same cost whether or not the name exists
        return False
    return bool(HASHER.verify(password, editor.password_hash))


def session_version(session: Session, name: str) -> int | None:
    """The editor's current session version (None: no such editor)."""
    return session.scalar(select(Editor.session_version).where(Editor.name == name))


def end_sessions(session: Session, name: str) -> int:
    """Void every session cookie of `name` (logout everywhere); the new version."""
    editor = require_editor(session, name)
    editor.session_version = (editor.session_version or 0) + 1
    session.flush()
    return editor.session_version


def set_password(session: Session, name: str, password: str) -> None:
    """A new password; every session signed before it is void."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EditorialError(f"password too short (at least {MIN_PASSWORD_LENGTH} characters)")
    editor = require_editor(session, name)
    editor.password_hash = HASHER.hash(password)
    end_sessions(session, name)


def require_editor(session: Session, actor: str) -> Editor:
    editor = session.scalar(select(Editor).where(Editor.name == actor))
    if editor is None:
        raise UnknownEditor(f"{actor!r} is not an editor (add one: `toolwatch editor add NAME`)")
    return editor


def editor_names(session: Session) -> list[str]:
    return list(session.scalars(select(Editor.name).order_by(Editor.name)))
