"""What every handler of the REST API shares: one Context per server and the Handler base.

The Context holds the server root, one :class:`~jupyter_expjournal.core.journal.Journal`
per folder (its parse cache), the last answers and the threads. The Handler
reads request bodies (:mod:`.schema`), confines every path to the server root,
maps the core's errors to HTTP statuses (:mod:`.handlers` lists them) and runs
everything that touches a file off the event loop (:mod:`.workers`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ..core.errors import GateError, InputError, JournalError
from ..core.journal import Journal
from ..core.location import find_experiments_dir
from .answers import Answers
from .schema import ApiError, parse
from .schema import path as path_field
from .workers import LOCKED, WRITE_WAIT, Busy, Workers

T = TypeVar("T")

#: Files of the experiments folder the core may open: each must stay inside the root.
JOURNAL_FILES = ("journal.md", "lessons.md", "assets", ".expjournal.lock", ".gitignore")


class Context:
    """What every handler shares: the server root, one Journal per folder (parse cache), its answers, the threads."""

    MAX_JOURNALS = 64

    def __init__(self, root_dir: str) -> None:
        self.root = os.path.realpath(root_dir)
        self.journals: dict[str, Journal] = {}
        #: Per folder: the last GET answer and each entry's JSON in it (:mod:`.answers`).
        self.answers: dict[str, Answers] = {}
        #: Per folder: the ETag of the journal they were made from, and ``GET order``'s answers by metric.
        self.orders: dict[str, tuple[str, dict[str, dict]]] = {}
        self.workers = Workers()
        self._mutex = threading.Lock()  # journal() is called from reader threads

    def journal(self, directory: str) -> Journal:
        with self._mutex:
            journal = self.journals.get(directory)
            if journal is None:
                if len(self.journals) >= self.MAX_JOURNALS:
                    self.journals.clear()
                    self.answers.clear()
                    self.orders.clear()
                journal = self.journals[directory] = Journal(directory)
            return journal

    def answers_of(self, directory: str) -> Answers:
        with self._mutex:
            return self.answers.setdefault(directory, Answers())


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def posix_relative(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else Path(rel).as_posix()


class Handler(APIHandler):
    """Shared plumbing: body parsing, path confinement, error mapping, the threads."""

    def initialize(self, context: Context) -> None:
        self.context = context

    def write_error(self, status_code: int, **kwargs: object) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]  # type: ignore[index]
        if isinstance(exc, ApiError):
            reply: dict = {"error": exc.message, **exc.extra}
        elif isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            try:
                message = exc.log_message % exc.args if exc.args else exc.log_message
            except (TypeError, ValueError):
                message = exc.log_message
            reply = {"error": message}
        elif exc is not None and not isinstance(exc, tornado.web.HTTPError):
            reply = {"error": f"internal error ({type(exc).__name__}: {exc}); see the server log"}
        else:
            reply = {"error": self._reason}
        self.set_header("Content-Type", "application/json")
        if status_code == 503:
            self.set_header("Retry-After", str(round(WRITE_WAIT)))
        self.finish(json.dumps(reply))

    def query(self, name: str) -> str | None:
        """A query argument given at most once, as UTF-8 text (None when absent)."""
        values = self.request.query_arguments.get(name)
        if values is None:
            return None
        if len(values) != 1:
            raise ApiError(400, f"give '{name}' once")
        try:
            return values[0].decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, f"'{name}' is not UTF-8") from None

    def reply(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data))

    def body(self, allowed: set[str]) -> dict:
        """The request's JSON object, checked for size, depth and unknown fields (in a reader thread)."""
        return parse(self.request.body, allowed)

    def locate(self, path: object) -> tuple[Journal, str, str]:
        """The journal for ``path`` (a folder relative to the root), that folder, and the journal's folder, root-relative.

        Refuses (403) anything that could reach outside the server root: absolute
        paths, ``..``, and symlinks or ``$EXPJOURNAL_DIR`` resolving elsewhere.
        Reads the file system: call it in a reader thread.
        """
        path = path_field(path)
        slashed = path.replace("\\", "/")  # "a\..\b" is a traversal on Windows: refuse it everywhere
        if slashed.startswith("/") or os.path.isabs(path) or os.path.splitdrive(path)[0]:
            raise ApiError(403, f"'path' must be relative to the server root, not {path!r}")
        parts = [p for p in slashed.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise ApiError(403, "'path' must not contain '..'")
        root = self.context.root
        folder = os.path.realpath(os.path.join(root, *parts))
        if not inside(folder, root):
            raise ApiError(403, f"'{path}' leads outside the server root")
        if not os.path.isdir(folder):
            raise ApiError(404, f"'{path}' is not a folder under the server root")
        directory = os.path.realpath(find_experiments_dir(folder))
        if not inside(directory, root):
            raise ApiError(
                403,
                f"the journal for '{path}' is {directory}, outside the server root {root}: "
                "start Jupyter in a folder that contains it, or point $EXPJOURNAL_DIR inside the root",
            )
        for name in JOURNAL_FILES:
            if not inside(os.path.realpath(os.path.join(directory, name)), root):
                rel = posix_relative(directory, root)
                raise ApiError(403, f"'{url_path_join(rel, name)}' links outside the server root")
        return self.context.journal(directory), folder, posix_relative(directory, root)

    @contextmanager
    def core_errors(self):
        """The core's errors as HTTP statuses (see the module docstring)."""
        try:
            yield
        except GateError as exc:
            raise ApiError(409, str(exc), refusals=[notice.to_json() for notice in exc.refusals]) from None
        except InputError as exc:
            raise ApiError(400, str(exc)) from None
        except Busy:
            raise ApiError(503, LOCKED) from None
        except JournalError as exc:
            self.log.warning("expjournal: %s", exc)
            raise ApiError(500, str(exc)) from None

    async def off_loop(self, call: Callable[..., T], *args: object) -> T:
        """``call(*args)`` in a reader thread, the core's errors mapped."""
        with self.core_errors():
            return await self.context.workers.read(call, *args)

    async def writing(self, journal: Journal, call: Callable[[], T]) -> T:
        """``call()`` in a writer thread under the journal's lock; 503 if it cannot start in time."""
        with self.core_errors():
            return await self.context.workers.write(journal, call)


