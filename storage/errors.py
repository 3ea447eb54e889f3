"""Errors the editorial Store methods raise (the CLI and web app map them to messages)."""

from __future__ import annotations


class EditorialError(Exception):
    """Base: an editorial action that cannot be carried out as asked."""


class UnknownEditor(EditorialError, PermissionError):
    """The actor is not an existing editor."""


class ToolNotFound(EditorialError, LookupError):
    pass


class ReviewNotFound(EditorialError, LookupError):
    pass


class InvalidTransition(EditorialError, ValueError):
    """The tool's (or review item's) status does not allow this action."""


class InvalidOverride(EditorialError, ValueError):
    """An unknown field, or a value the field's model rejects."""
