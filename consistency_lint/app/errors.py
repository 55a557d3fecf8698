"""Errors a user can cause: the CLI turns them into a one-line message and exit 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad configuration, a bad pack, a bad option: never shown as a traceback."""
