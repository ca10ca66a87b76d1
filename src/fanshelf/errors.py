"""The one error hierarchy of fanshelf.

Every error the library raises on purpose is a :class:`FanshelfError`; ``exit_code`` is the process exit
status a command-line front end should use for it.
"""

from __future__ import annotations


class FanshelfError(Exception):
    """Base class of every error fanshelf raises on purpose."""

    exit_code: int = 1


class InputError(FanshelfError):
    """The input cannot be read or is not a post (missing file, binary data...)."""

    exit_code = 2


class InputTooLarge(InputError):
    """The input is larger than the limit for one post."""

    exit_code = 3
