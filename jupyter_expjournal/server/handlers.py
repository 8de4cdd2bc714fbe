"""The server face: a small authenticated REST API over the core, under ``/expjournal/api/``.

The JupyterLab sidebar talks to these routes; it never reads the Markdown itself.
Each handler only translates HTTP into one call of
:class:`~jupyter_expjournal.core.journal.Journal` and the result into JSON
(:mod:`~jupyter_expjournal.core.export` gives the shapes). Everything is JSON in
and out; every verb needs an authenticated user.

Routes (``path`` is the notebook's folder relative to the server root, ``""`` for
the root; its journal is found as the kernels find theirs, ``$EXPJOURNAL_DIR``
included)::

    GET  journal?path=DIR      200 export.review() + journal_path, lessons_path,
                               directory_relative, exists; ETag, 304 on If-None-Match
    POST check       {path, draft: {name, hypothesis, change, config, expected, baseline},
                      parallel, strict, force}            200 {refusals, warnings, repeats, rules}
    POST hypothesis  {path, name, hypothesis, change, config, expected, baseline,
                      parallel, strict, force}            201 {entry, warnings}
    POST result      {path, name, heading, outcome, output, images, metrics,
                      learning, next, delta, source}      200 {entry, assets}
    POST abandon     {path, name, heading, reason, learning}            200 {entry}
    POST lesson      {path, text, context, source} or {path, rule, action, reason}
                                                          201 {line}

``result`` and ``abandon`` go to the open entry named ``name`` (400 if none
is open by that name); else to the one whose ``heading`` is given, if it is
still open; else to the only open entry (409 when several are open).

The ETag of ``GET journal`` is computed from the stat of journal.md and
lessons.md alone, so a poll with ``If-None-Match`` that finds nothing changed
costs no read and no parse (304, empty body).

Errors are always ``{"error": "one message"}`` with a status:

- 400: malformed JSON, a missing, unknown or wrong-typed field (the message
  names it), or :class:`~jupyter_expjournal.core.errors.InputError` from the core.
- 403: not authenticated; a ``path`` that is absolute or holds ``..``; a folder
  or journal file that resolves (through symlinks or ``$EXPJOURNAL_DIR``)
  outside the server root.
- 404: ``path`` is not a folder under the root.
- 409: :class:`~jupyter_expjournal.core.errors.GateError` (a gate refused: an
  entry is still PLANNED, strict mode, several open entries); the body also
  has ``refusals``, a list of every reason.
- 413: the request body is larger than :data:`MAX_BODY`.
- 500: any other :class:`~jupyter_expjournal.core.errors.JournalError`: the
  files cannot be read or written (not UTF-8, permission, disk full, locked
  by another writer for too long). No request can fix these, so they are
  server errors; the message says which file and why.

Whatever the status, a refused request wrote nothing: the core raises before
it writes, and the checks here run before the core is called.

File I/O runs inline on the event loop: the files are small, the parse is
cached by the core, and no lock is ever held across an ``await`` (there is none).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import os
from contextlib import contextmanager
from pathlib import Path

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ..core import export
from ..core.draft import config_row
from ..core.errors import GateError, InputError, JournalError
from ..core.journal import Journal
from ..core.location import find_experiments_dir
from ..core.model import ConfigItem, Draft, Outcome

NAMESPACE = "expjournal/api"
#: Larger request bodies are refused with 413 (figures come base64-encoded).
MAX_BODY = 20 * 1024 * 1024
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n", "PNG"), "image/jpeg": (b"\xff\xd8\xff", "JPEG")}
#: Files of the experiments folder the core may open: each must stay inside the root.
_JOURNAL_FILES = ("journal.md", "lessons.md", "assets", ".expjournal.lock", ".gitignore")
#: Part of every ETag, so that a change of the JSON shape invalidates old ones.
_SHAPE_VERSION = b"1"


class ApiError(tornado.web.HTTPError):
    """A refusal with a status, one message and optional extra JSON fields."""

    def __init__(self, status: int, message: str, **extra: object) -> None:
        super().__init__(status)
        self.message = message
        self.extra = extra


class _Context:
    """What every handler shares: the server root and one Journal per folder (parse cache)."""

    MAX_JOURNALS = 64

    def __init__(self, root_dir: str) -> None:
        self.root = os.path.realpath(root_dir)
        self.journals: dict[str, Journal] = {}
        #: The last GET answer per folder, as (ETag, JSON bytes): a client without
        #: the ETag (a second tab, a reload) gets it without a new export.
        self.answers: dict[str, tuple[str, bytes]] = {}

    def journal(self, directory: str) -> Journal:
        journal = self.journals.get(directory)
        if journal is None:
            if len(self.journals) >= self.MAX_JOURNALS:
                self.journals.clear()
                self.answers.clear()
            journal = self.journals[directory] = Journal(directory)
        return journal


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _posix_relative(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else Path(rel).as_posix()


# -- request fields ------------------------------------------------------------

def _describe(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _text(body: dict, key: str, *, where: str = "", required: bool = False, one_line: bool = False) -> str:
    """A string field; absent or null is '' unless required."""
    label = f"{where}{key}"
    value = body.get(key)
    if value is None:
        if required:
            raise ApiError(400, f"'{label}' is missing")
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"'{label}' must be a string, not {_describe(value)}")
    if "\x00" in value:
        raise ApiError(400, f"'{label}' contains a NUL byte")
    if required and not value.strip():
        raise ApiError(400, f"'{label}' is empty")
    if one_line and ("\n" in value or "\r" in value):
        raise ApiError(400, f"'{label}' must be one line")
    return value


def _flag(body: dict, key: str) -> bool:
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"'{key}' must be true or false, not {_describe(value)}")
    return value


def _only(body: dict, allowed: set[str], where: str = "") -> None:
    """Refuse unknown fields: a typo in a field name must not be dropped silently."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(
            400, f"unknown field '{where}{unknown[0]}' (expected: {', '.join(sorted(allowed))})"
        )


def _config_value(row: dict, key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ApiError(400, f"'{where}.{key}' must be a string, a number or null, not {_describe(value)}")
    return value.strip() if isinstance(value, str) else str(value)


def _config(value: object) -> list[ConfigItem]:
    """``[{key, old, new}]`` rows (null: absent); ``{key, value}`` or old == new: unchanged."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, f"'config' must be a list of {{key, old, new}} rows, not {_describe(value)}")
    items = []
    for i, row in enumerate(value):
        where = f"config[{i}]"
        if not isinstance(row, dict):
            raise ApiError(400, f"'{where}' must be an object {{key, old, new}}, not {_describe(row)}")
        _only(row, {"key", "old", "new", "value", "changed"}, f"{where}.")  # changed: from export, ignored
        key = _text(row, "key", where=f"{where}.", required=True, one_line=True).strip()
        if "value" in row:
            if "old" in row or "new" in row:
                raise ApiError(400, f"'{where}' has 'value' and 'old'/'new': give one or the other")
            old = new = _config_value(row, "value", where)
            if old is None:
                raise ApiError(400, f"'{where}.value' is null")
        else:
            old, new = _config_value(row, "old", where), _config_value(row, "new", where)
            if old is None and new is None:
                raise ApiError(400, f"'{where}' needs 'old' or 'new' (null means the key is absent on that side)")
        try:  # the core owns the syntax: a row must read back as written
            items.append(config_row(key, old, new, f"'{where}'"))
        except InputError as exc:
            raise ApiError(400, str(exc)) from None
    return items


def _draft(body: dict, where: str = "") -> Draft:
    return Draft(
        name=_text(body, "name", where=where, required=True, one_line=True),
        hypothesis=_text(body, "hypothesis", where=where),
        change=_text(body, "change", where=where),
        config=_config(body.get("config")),
        expected=_text(body, "expected", where=where),
        baseline=_text(body, "baseline", where=where),
    )


def _images(value: object) -> list[tuple[str, bytes | str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, f"'images' must be a list of {{mime, data}}, not {_describe(value)}")
    images: list[tuple[str, bytes | str]] = []
    for i, image in enumerate(value):
        where = f"images[{i}]"
        if not isinstance(image, dict):
            raise ApiError(400, f"'{where}' must be an object {{mime, data}}, not {_describe(image)}")
        _only(image, {"mime", "data"}, f"{where}.")
        mime = _text(image, "mime", where=f"{where}.", required=True)
        if mime not in IMAGE_MIMES:
            raise ApiError(400, f"'{where}.mime' is {mime!r}: only {', '.join(IMAGE_MIMES)} are kept")
        data = _text(image, "data", where=f"{where}.", required=True)
        if mime == "image/svg+xml":
            if "<svg" not in data.lower():
                raise ApiError(400, f"'{where}.data' is not SVG text")
            images.append((mime, data))
            continue
        try:
            raw = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, f"'{where}.data' is not valid base64") from None
        signature, kind = _SIGNATURES[mime]
        if not raw.startswith(signature):
            raise ApiError(400, f"'{where}.data' does not decode to a {kind} image")
        images.append((mime, raw))
    return images


def _metrics(value: object) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, f"'metrics' must be an object {{name: number}}, not {_describe(value)}")
    out = {}
    for name, number in value.items():
        if not name.strip() or "\n" in name:
            raise ApiError(400, f"'metrics' has a bad name {name!r}: names are one non-empty line")
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise ApiError(400, f"'metrics.{name}' must be a finite number, not {_describe(number)}")
        out[name] = float(number)
    return out


# -- handlers ------------------------------------------------------------------

class _Handler(APIHandler):
    """Shared plumbing: body parsing, path confinement, error mapping."""

    def initialize(self, context: _Context) -> None:
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
        self.finish(json.dumps(reply))

    def reply(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data))

    def body(self, allowed: set[str]) -> dict:
        """The request's JSON object, checked for size and unknown fields."""
        if len(self.request.body) > MAX_BODY:
            raise ApiError(413, f"the request body is {len(self.request.body):,} bytes; the limit is {MAX_BODY:,}")
        try:
            body = json.loads(self.request.body or b"")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ApiError(400, f"the request body must be a JSON object, not {_describe(body)}")
        _only(body, allowed | {"path"})
        return body

    def locate(self, path: object) -> tuple[Journal, str]:
        """The journal for ``path`` (a folder relative to the root) and its folder, root-relative.

        Refuses (403) anything that could reach outside the server root: absolute
        paths, ``..``, and symlinks or ``$EXPJOURNAL_DIR`` resolving elsewhere.
        """
        if path is None:
            raise ApiError(400, "'path' is missing (the notebook's folder relative to the server root; '' for the root)")
        if not isinstance(path, str):
            raise ApiError(400, f"'path' must be a string, not {_describe(path)}")
        if "\x00" in path:
            raise ApiError(400, "'path' contains a NUL byte")
        slashed = path.replace("\\", "/")  # "a\..\b" is a traversal on Windows: refuse it everywhere
        if slashed.startswith("/") or os.path.isabs(path) or os.path.splitdrive(path)[0]:
            raise ApiError(403, f"'path' must be relative to the server root, not {path!r}")
        parts = [p for p in slashed.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise ApiError(403, "'path' must not contain '..'")
        root = self.context.root
        folder = os.path.realpath(os.path.join(root, *parts))
        if not _inside(folder, root):
            raise ApiError(403, f"'{path}' leads outside the server root")
        if not os.path.isdir(folder):
            raise ApiError(404, f"'{path}' is not a folder under the server root")
        directory = os.path.realpath(find_experiments_dir(folder))
        if not _inside(directory, root):
            raise ApiError(
                403,
                f"the journal for '{path}' is {directory}, outside the server root {root}: "
                "start Jupyter in a folder that contains it, or point $EXPJOURNAL_DIR inside the root",
            )
        for name in _JOURNAL_FILES:
            if not _inside(os.path.realpath(os.path.join(directory, name)), root):
                rel = _posix_relative(directory, root)
                raise ApiError(403, f"'{url_path_join(rel, name)}' links outside the server root")
        return self.context.journal(directory), _posix_relative(directory, root)

    @contextmanager
    def core_errors(self):
        """The core's errors as HTTP statuses (see the module docstring)."""
        try:
            yield
        except GateError as exc:
            raise ApiError(409, str(exc), refusals=[str(exc)]) from None
        except InputError as exc:
            raise ApiError(400, str(exc)) from None
        except JournalError as exc:
            self.log.warning("expjournal: %s", exc)
            raise ApiError(500, str(exc)) from None


class JournalHandler(_Handler):
    """``GET journal?path=DIR``: the whole journal as JSON, cheap to poll with ETags."""

    @tornado.web.authenticated
    def get(self) -> None:
        values = self.request.query_arguments.get("path")
        if values is not None and len(values) != 1:
            raise ApiError(400, "give 'path' once")
        path = None
        if values is not None:
            try:
                path = values[0].decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "'path' is not UTF-8") from None
        journal, relative = self.locate(path)
        self.set_header("Cache-Control", "no-cache")
        # The ETag comes from stat alone, taken before the read: a poll that
        # finds nothing changed costs two stat calls and no parse.
        etag = _etag(journal)
        self.set_header("Etag", etag)
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        directory = str(journal.directory)
        cached = self.context.answers.get(directory)
        if cached is not None and cached[0] == etag:
            self.finish(cached[1])
            return
        with self.core_errors():
            data = export.review(journal.review(all=True, analysis=False))
        data.update(
            journal_path=url_path_join(relative, "journal.md"),
            lessons_path=url_path_join(relative, "lessons.md"),
            directory_relative=relative,
            exists=journal.journal_path.is_file(),
        )
        answer = json.dumps(data).encode("utf-8")
        self.context.answers[directory] = (etag, answer)
        self.finish(answer)


def _etag(journal: Journal) -> str:
    digest = hashlib.blake2b(digest_size=12)
    digest.update(_SHAPE_VERSION + b"\0" + os.fsencode(journal.directory))
    for path in (journal.journal_path, journal.lessons_path):
        try:
            st = os.stat(path)
            digest.update(f"|{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}".encode())
        except FileNotFoundError:
            digest.update(b"|absent")
        except OSError as exc:
            digest.update(f"|error {exc.errno}".encode())
    return f'"{digest.hexdigest()}"'


class CheckHandler(_Handler):
    """``POST check``: what the gates say about a draft, nothing written."""

    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body({"draft", "parallel", "strict", "force"})
        journal, _ = self.locate(body.get("path"))
        draft_body = body.get("draft")
        if not isinstance(draft_body, dict):
            raise ApiError(400, "'draft' is missing" if draft_body is None else f"'draft' must be an object, not {_describe(draft_body)}")
        _only(draft_body, {"name", "hypothesis", "change", "config", "expected", "baseline"}, "draft.")
        draft = _draft(draft_body, "draft.")
        flags = {k: _flag(body, k) for k in ("parallel", "strict", "force")}
        with self.core_errors():
            report = journal.check(draft, **flags)
        self.reply(
            {
                "refusals": report.refusals,
                "warnings": report.warnings,
                "repeats": [export.entry(e) for e in report.repeats],
                "rules": [export.rule(r) for r in report.rules],
            }
        )


class HypothesisHandler(_Handler):
    """``POST hypothesis``: append a PLANNED entry, if the gates allow it."""

    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body({"name", "hypothesis", "change", "config", "expected", "baseline", "parallel", "strict", "force"})
        journal, _ = self.locate(body.get("path"))
        draft = _draft(body)
        if body.get("hypothesis") is None:
            raise ApiError(400, "'hypothesis' is missing")
        flags = {k: _flag(body, k) for k in ("parallel", "strict", "force")}
        try:
            with self.core_errors():
                logged = journal.hypothesize(draft, **flags)
        except ApiError as exc:
            if exc.status_code == 409:
                # The core joins its refusals in one message; give the list too.
                with self.core_errors():
                    exc.extra["refusals"] = journal.check(draft, **flags).refusals or exc.extra["refusals"]
            raise
        self.reply({"entry": export.entry(logged.entry), "warnings": logged.warnings}, 201)


class ResultHandler(_Handler):
    """``POST result``: complete the open entry with an outcome, output and figures."""

    FIELDS = ("outcome", "output", "learning", "next", "delta")

    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body({"name", "heading", "images", "metrics", "source", *self.FIELDS})
        journal, relative = self.locate(body.get("path"))
        texts = {k: _text(body, k) for k in self.FIELDS}
        outcome = Outcome(
            summary=texts["outcome"],
            output=texts["output"],
            images=_images(body.get("images")),
            metrics=_metrics(body.get("metrics")),
            learning=texts["learning"],
            next=texts["next"],
            delta=texts["delta"],
            source=_text(body, "source", one_line=True).strip(),
        )
        if not any(v.strip() for v in texts.values()) and not outcome.images and not outcome.metrics:
            raise ApiError(400, "a result needs at least one of 'outcome', 'output', 'images', 'metrics', 'learning', 'next', 'delta'")
        name = _text(body, "name", one_line=True).strip() or None
        heading = _text(body, "heading", one_line=True).strip() or None
        with self.core_errors():
            logged = journal.complete(outcome, name=name, preferred=heading)
        assets = [p.relative_to(journal.directory).as_posix() for p in logged.assets]
        self.reply({"entry": export.entry(logged.entry), "assets": assets})


class AbandonHandler(_Handler):
    """``POST abandon``: close the open entry as ABANDONED, saying why."""

    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body({"name", "heading", "reason", "learning"})
        journal, _ = self.locate(body.get("path"))
        reason = _text(body, "reason", required=True)
        learning = _text(body, "learning")
        name = _text(body, "name", one_line=True).strip() or None
        heading = _text(body, "heading", one_line=True).strip() or None
        with self.core_errors():
            logged = journal.abandon(reason, name=name, preferred=heading, learning=learning)
        self.reply({"entry": export.entry(logged.entry)})


class LessonHandler(_Handler):
    """``POST lesson``: a lesson ``{text, context, source}`` or a rule ``{rule, action, reason}``."""

    @tornado.web.authenticated
    def post(self) -> None:
        body = self.body({"text", "context", "source", "rule", "action", "reason"})
        journal, _ = self.locate(body.get("path"))
        if body.get("rule") is not None:
            stray = [k for k in ("text", "context", "source") if body.get(k) is not None]
            if stray:
                raise ApiError(400, f"'{stray[0]}' belongs to a lesson, not a rule: send a lesson or a rule")
            kind = _text(body, "rule", required=True)
            action = _text(body, "action", required=True)
            reason = _text(body, "reason")
            with self.core_errors():
                line = journal.add_rule(kind, action, reason=reason)
        else:
            stray = [k for k in ("action", "reason") if body.get(k) is not None]
            if stray:
                raise ApiError(400, f"'{stray[0]}' belongs to a rule: add \"rule\": \"NEVER\" or \"ALWAYS\"")
            text = _text(body, "text", required=True)
            context = _text(body, "context", one_line=True)
            source = _text(body, "source")
            with self.core_errors():
                line = journal.add_lesson(text, context=context, source=source)
        self.reply({"line": line}, 201)


ROUTES = (
    ("journal", JournalHandler),
    ("check", CheckHandler),
    ("hypothesis", HypothesisHandler),
    ("result", ResultHandler),
    ("abandon", AbandonHandler),
    ("lesson", LessonHandler),
)


def setup_handlers(web_app, server_app=None) -> None:
    """Add the ``/expjournal/api/`` routes under the server's ``base_url``."""
    contents = getattr(server_app, "contents_manager", None)
    root = getattr(contents, "root_dir", None) or getattr(server_app, "root_dir", None) or os.getcwd()
    context = _Context(root)
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [(url_path_join(base_url, NAMESPACE, name), handler, {"context": context}) for name, handler in ROUTES],
    )
