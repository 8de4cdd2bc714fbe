"""The server face: a small authenticated REST API over the core, under ``/expjournal/api/``.

The JupyterLab sidebar talks to these routes; it never reads the Markdown itself,
and it decides nothing: it posts what the person typed and what the notebook
holds (a cell's raw outputs), and renders what comes back. Each handler only
translates HTTP into calls of :class:`~jupyter_expjournal.core.journal.Journal`
and the result into JSON (:mod:`~jupyter_expjournal.core.export` gives the
shapes); :mod:`.schema` reads each request body, :mod:`.context` holds what every
handler shares (path confinement, the error mapping below, the threads). Everything is JSON in and out;
every verb needs an authenticated user.

Routes (``path`` is the notebook's folder relative to the server root, ``""`` for
the root; its journal is found as the kernels find theirs, ``$EXPJOURNAL_DIR``
included)::

    GET  journal?path=DIR      200 export.review() (reminders as notices, the absent
                               marker, the search keys) + journal_path, lessons_path,
                               directory_relative, exists; ETag, 304 on If-None-Match.
                               An entry's images are the links to files of its
                               experiments folder (others are not listed)
    GET  entry?path=DIR&entry=REF   200 {entry, fields: [{name, blocks}], origin: {notebook,
                               named, cell_id}}: every field in file order as the core's
                               blocks ({kind: text|code, text} or {kind: image, path, alt});
                               the notebook its Provenance names (from the root, '' when
                               not a file under it) and the cell; 404 for no such entry
    GET  order?path=DIR&by=METRIC   200 {by, refs, best: {ref, name, baseline} | null}: every
                               entry's ref best first by that metric (the compare table's
                               order: a loss lowest first, those without it last) and the best
                               COMPLETED result as a baseline ("accuracy = 0.9889"); 400 for
                               a metric no entry measured
    POST check       {path, draft: {name, hypothesis, change, config, expected, baseline},
                      parallel, strict, force}            200 {refusals, warnings, repeats, rules}
    POST hypothesis  {path, name, hypothesis, change, config, expected, baseline,
                      parallel, strict, force, notebook, cell_id}     201 {entry, warnings}
    POST result      {path, entry, name, heading, outcome, output, images, metrics,
                      learning, next, delta, source,
                      outputs, execution_count, execution, notebook, cell_id}
                                                          200 {entry, assets}
    POST retro       {path, name, hypothesis, and the outcome as for result}
                                                          201 {entry, assets}
    POST learning    {path, entry, learning, next}        200 {entry}
    POST abandon     {path, entry, name, heading, reason, learning}     200 {entry}
    POST lesson      {path, text, context, source} or {path, rule, action, reason}
                                                          201 {line}

``config`` is a list of rows ``{key, old, new}`` as a form holds them (null or
``"(none)"``: absent on that side; an empty ``old`` with a ``new``: added; an
empty ``new``: unchanged; a blank row is skipped), or ``{key, value}`` for an
unchanged key: the core's one config-row rule reads them.

A hypothesis gets a Provenance field, as ``%%hypothesis`` writes it: the git
commit of the notebook's folder (``path``), Python and host, and the
``notebook`` (its path from the server root) and ``cell_id`` when given.

``result`` takes the outcome as texts (``output`` and ``images`` as
``{mime, data}``, data base64 or SVG text), or a cell's raw ``outputs`` as the
notebook stores them (nbformat 4), which the core turns into the Actual outcome
exactly as ``%result`` does (text, figures, the error), labelled ``Output of
cell [execution_count]``. The Duration is the wall time since the entry's
heading, plus the cell's run time when its ``execution`` metadata (JupyterLab's
recorded timing) is given. It goes to the open entry ``entry`` names (its id:
the ``ref`` of the entry JSON), else ``name`` (an id, a heading or a name);
400 if none open matches, 409 when several do. Without any, the only open
entry (409 when several are open). ``abandon`` picks its entry the same way.

``retro`` logs a run that had no hypothesis, as ``%result --retro NAME`` does:
a COMPLETED entry marked as logged after the fact, its outcome read like
``result``'s (a cell's ``outputs`` included), its Provenance from ``notebook``
and ``cell_id``. ``learning`` adds the Learning and Next a closed entry lacks
(``entry`` is its ref); a field it already has is refused, never replaced.

The ETag of ``GET journal`` is computed from the store's fingerprint (stat) of
journal.md and lessons.md alone, so a poll with ``If-None-Match`` that finds
nothing changed costs no read and no parse (304, empty body).

Errors are always ``{"error": "one message"}`` with a status:

- 400: malformed JSON or JSON nested deeper than :data:`~.schema.MAX_DEPTH`, a
  missing, unknown or wrong-typed field (the message names it), or
  :class:`~jupyter_expjournal.core.errors.InputError` from the core.
- 403: not authenticated; a ``path`` that is absolute or holds ``..``; a folder
  or journal file that resolves (through symlinks or ``$EXPJOURNAL_DIR``)
  outside the server root.
- 404: ``path`` is not a folder under the root.
- 409: :class:`~jupyter_expjournal.core.errors.GateError` (a gate refused: an
  entry is still PLANNED, strict mode, several open entries); the body also
  has ``refusals``, each a notice ``{gate, text, ways_out, entries, message}``
  (``ways_out`` are action names such as ``log-result``, ``abandon``,
  ``parallel``: a front end words them as its own controls). ``error`` is
  their messages in words that name no front end's controls.
- 413: the request body is larger than :data:`~.schema.MAX_BODY`.
- 503: a write could not start within :data:`~.workers.WRITE_WAIT` seconds
  because another writer (a kernel, the command line) holds the journal's
  lock: "the journal is locked by another writer; try again", with a
  ``Retry-After`` header. Nothing was written, and nothing will be (see
  :mod:`.workers`): retrying is safe.
- 500: any other :class:`~jupyter_expjournal.core.errors.JournalError`: the
  files cannot be read or written (not UTF-8, permission, disk full). No
  request can fix these, so they are server errors; the message says which
  file and why.

Warnings (``check``, ``hypothesis``) and the refusals of ``check`` are notices
of the same shape.

Whatever the status, a refused request wrote nothing: the core raises before
it writes, and the checks here run before the core is called.

Nothing that touches a file runs on the server's event loop (:mod:`.workers`):
reading the request, the path checks, the ETag's stat, the parse and the
export run in reader threads, the writes in writer threads, one at a time per
folder and with a bounded wait for the lock. The answer of ``GET journal`` is
built from each entry's JSON kept from the last answer (:mod:`.answers`): after
an append only the new entry is exported.
"""

from __future__ import annotations

import os

import tornado.web
from jupyter_server.utils import url_path_join

import jupyter_expjournal.sweep_curve as sweep_curve

from ..core import compare, export
from ..core.blocks import blocks
from ..core.durations import describe_run
from ..core.identity import matching, ref
from ..core.index import seconds_since
from ..core.journal import Journal
from ..core.model import COMPLETED
from ..core.provenance import collect, origin
from ..core.sweep_result import rows_given
from .answers import etag
from .context import Context, Handler, inside, posix_relative
from .draft_schema import DRAFT_FIELDS, GATE_FLAGS, check_request, hypothesis_request
from .schema import (
    CELL_FIELDS,
    LESSON_FIELDS,
    ORIGIN_FIELDS,
    RESULT_TEXTS,
    SELECTORS,
    ApiError,
    abandon_request,
    learning_request,
    lesson,
    result_request,
    retro_request,
)

NAMESPACE = "expjournal/api"


class JournalHandler(Handler):
    """``GET journal?path=DIR``: the whole journal as JSON, cheap to poll with ETags."""

    @tornado.web.authenticated
    async def get(self) -> None:
        path = self.query("path")
        # The ETag comes from stat alone, taken before the read: a poll that
        # finds nothing changed costs two stat calls and no parse.
        journal, relative, tag = await self.off_loop(self._tagged, path)
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Etag", tag)
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        directory = str(journal.directory)
        answers = self.context.answers_of(directory)
        last = answers.last
        if last is not None and last[0] == tag:  # a client without the ETag (a second tab, a reload): no thread needed
            self.finish(last[1])
            return
        async with self.context.workers.one_at_a_time(directory):  # a second GET gets the first one's answer
            answer = await self.off_loop(answers.answer, journal, relative, tag, self.context.workers.alone(journal))
        self.finish(answer)

    def _tagged(self, path: str | None) -> tuple[Journal, str, str]:
        journal, _, relative = self.locate(path)
        return journal, relative, etag(journal)


class EntryHandler(Handler):
    """``GET entry?path=DIR&entry=REF``: one entry as a face shows its details.

    Every field in file order, each value as the core's blocks (text, output,
    images of the experiments folder: :func:`~jupyter_expjournal.core.blocks.blocks`),
    and where it was written: the notebook its Provenance names, as a path from
    the server root when that file is there, and the cell's id.
    """

    @tornado.web.authenticated
    async def get(self) -> None:
        path, selector = self.query("path"), (self.query("entry") or "").strip()
        if not selector:
            raise ApiError(400, "'entry' is missing (the entry's ref: its id, else its heading)")
        self.reply(await self.off_loop(self._details, path, selector))

    def _details(self, path: str | None, selector: str) -> dict:
        journal, folder, _ = self.locate(path)
        with self.context.workers.alone(journal):
            hits = matching(journal.entries(), selector)
        if not hits:
            raise ApiError(404, f"no entry '{selector}' in {journal.journal_path.name}")
        entry = hits[-1]
        named, cells = origin(entry.get("Provenance"))
        return {
            "entry": export.entry(entry),
            "fields": [{"name": name, "blocks": blocks(value, journal.directory)} for name, value in entry.fields.items()],
            "origin": {"notebook": self._notebook(named, folder), "named": named, "cell_id": cells[0] if cells else ""},
        }

    def _notebook(self, named: str, folder: str) -> str:
        """The notebook a Provenance names, from the server root, if it is a file under it ('' if not).

        The sidebar writes it from the root; a kernel from its own working
        directory, which is the notebook's folder: both are tried, in that order.
        """
        if not named or os.path.isabs(named):
            candidates = [named] if named else []
        else:
            candidates = [os.path.join(self.context.root, named), os.path.join(folder, named)]
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if inside(real, self.context.root) and os.path.isfile(real):
                return posix_relative(real, self.context.root)
        return ""


class OrderHandler(Handler):
    """``GET order?path=DIR&by=METRIC``: the entries best first by a metric, and the best result as a baseline.

    The order is the compare table's (:func:`~jupyter_expjournal.core.compare.ordered`:
    a loss lowest first, rows without the metric last); the best result is the
    first COMPLETED row that measured it. Kept per folder until the journal changes.
    """

    @tornado.web.authenticated
    async def get(self) -> None:
        path, by = self.query("path"), (self.query("by") or "").strip()
        if not by:
            raise ApiError(400, "'by' is missing (a metric's name, or 'time')")
        self.reply(await self.off_loop(self._order, path, by))

    def _order(self, path: str | None, by: str) -> dict:
        journal, _, _ = self.locate(path)
        tag = etag(journal)
        kept = self.context.orders.get(str(journal.directory))
        if kept is None or kept[0] != tag:
            kept = self.context.orders[str(journal.directory)] = (tag, {})
        if by not in kept[1]:
            with self.context.workers.alone(journal):
                entries = journal.entries()
            rows = compare.ordered(compare.table(entries).rows, by)
            name = compare.metric_key(by)
            best = next((r for r in rows if r.entry.status == COMPLETED and name in r.metrics), None)
            kept[1][by] = {
                "by": by,
                "refs": [ref(r.entry) for r in rows],
                "best": None if best is None else {
                    "ref": ref(best.entry),
                    "name": best.entry.name,
                    "baseline": f"{name} = {compare.shown_value(best.metrics[name])}",
                },
            }
        return kept[1][by]


class CheckHandler(Handler):
    """``POST check``: what the gates say about a draft, nothing written."""

    @tornado.web.authenticated
    async def post(self) -> None:
        self.reply(await self.off_loop(self._check))

    def _check(self) -> dict:
        body = self.body({"draft", *GATE_FLAGS})
        journal, _, _ = self.locate(body.get("path"))
        draft, flags = check_request(body)
        with self.context.workers.alone(journal):
            report = journal.check(draft, **flags)
        return {
            "refusals": [notice.to_json() for notice in report.refusals],
            "warnings": [notice.to_json() for notice in report.warnings],
            "repeats": [export.entry(e) for e in report.repeats],
            "rules": [export.rule(r) for r in report.rules],
        }


class HypothesisHandler(Handler):
    """``POST hypothesis``: append a PLANNED entry with its Provenance, if the gates allow it."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, request = await self.off_loop(self._read)
        logged = await self.writing(journal, lambda: journal.hypothesize(request.draft, **request.flags))
        self.reply({"entry": export.entry(logged.entry), "warnings": [n.to_json() for n in logged.warnings]}, 201)

    def _read(self):
        body = self.body(DRAFT_FIELDS | set(GATE_FLAGS) | ORIGIN_FIELDS)
        journal, folder, _ = self.locate(body.get("path"))
        request = hypothesis_request(body)
        cells = [request.cell_id] if request.cell_id else []
        # git, before any lock: a slow repository delays this request only
        request.draft.extra["Provenance"] = collect(folder, notebook=request.notebook, cells=cells).describe()
        return journal, request


class ResultHandler(Handler):
    """``POST result``: complete the open entry with an outcome, output and figures, and how long it took."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, request = await self.off_loop(self._read)
        logged = await self.writing(journal, lambda: self._complete(journal, request))
        assets = [p.relative_to(journal.directory).as_posix() for p in logged.assets]
        self.reply({"entry": export.entry(logged.entry), "assets": assets})

    def _read(self):
        body = self.body({*SELECTORS, "images", "metrics", "source", "table", *RESULT_TEXTS, *CELL_FIELDS, *ORIGIN_FIELDS})
        journal, _, _ = self.locate(body.get("path"))
        return journal, result_request(body)

    @staticmethod
    def _complete(journal: Journal, request):
        """As the CLI's ``result``: a ``table`` checked against the entry's sweep before anything is written and
        taken as the result value; a sweep's curve drawn and linked (:func:`~jupyter_expjournal.sweep_curve.attach_for`)."""
        entry = journal.resolve_open(request.entry)
        rows = None if request.table is None else rows_given(entry, request.table, "'table'")
        cells = None if request.cell_seconds is None else [request.cell_seconds]
        request.outcome.duration = describe_run(seconds_since(entry), cells, [])
        outcome = sweep_curve.attach_for(entry, request.outcome, rows)
        return journal.complete(outcome, name=ref(entry), result_value=rows)


class RetroHandler(Handler):
    """``POST retro``: log a run that had no hypothesis, after the fact, marked as such (``%result --retro``)."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, request, provenance = await self.off_loop(self._read)
        cells = None if request.result.cell_seconds is None else [request.result.cell_seconds]
        if cells is not None:
            request.result.outcome.duration = describe_run(None, cells, [])
        logged = await self.writing(
            journal,
            lambda: journal.retro(request.name, request.result.outcome, hypothesis=request.hypothesis, provenance=provenance),
        )
        assets = [p.relative_to(journal.directory).as_posix() for p in logged.assets]
        self.reply({"entry": export.entry(logged.entry), "assets": assets}, 201)

    def _read(self):
        body = self.body({"name", "hypothesis", "images", "metrics", "source", *RESULT_TEXTS, *CELL_FIELDS, *ORIGIN_FIELDS})
        journal, folder, _ = self.locate(body.get("path"))
        request = retro_request(body)
        cells = [request.result.cell_id] if request.result.cell_id else []
        provenance = collect(folder, notebook=request.result.notebook, cells=cells).describe()  # git, before any lock
        return journal, request, provenance


class LearningHandler(Handler):
    """``POST learning``: the Learning and Next a closed entry lacks (a result attached in one click)."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, (entry, learning, next_) = await self.off_loop(self._read)
        logged = await self.writing(journal, lambda: journal.add_learning(entry, learning, next_))
        self.reply({"entry": export.entry(logged.entry)})

    def _read(self):
        body = self.body({"entry", "learning", "next"})
        journal, _, _ = self.locate(body.get("path"))
        return journal, learning_request(body)


class AbandonHandler(Handler):
    """``POST abandon``: close the open entry as ABANDONED, saying why."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, (reason, learning, entry) = await self.off_loop(self._read)
        logged = await self.writing(journal, lambda: journal.abandon(reason, name=entry, learning=learning))
        self.reply({"entry": export.entry(logged.entry)})

    def _read(self):
        body = self.body({*SELECTORS, "reason", "learning"})
        journal, _, _ = self.locate(body.get("path"))
        return journal, abandon_request(body)


class LessonHandler(Handler):
    """``POST lesson``: a lesson ``{text, context, source}`` or a rule ``{rule, action, reason}``."""

    @tornado.web.authenticated
    async def post(self) -> None:
        journal, request = await self.off_loop(self._read)
        line = await self.writing(journal, lambda: journal.learn(request))
        self.reply({"line": line}, 201)

    def _read(self):
        body = self.body(set(LESSON_FIELDS))
        journal, _, _ = self.locate(body.get("path"))
        return journal, lesson(body)


ROUTES = (
    ("journal", JournalHandler),
    ("entry", EntryHandler),
    ("order", OrderHandler),
    ("check", CheckHandler),
    ("hypothesis", HypothesisHandler),
    ("result", ResultHandler),
    ("retro", RetroHandler),
    ("learning", LearningHandler),
    ("abandon", AbandonHandler),
    ("lesson", LessonHandler),
)


def setup_handlers(web_app, server_app=None) -> None:
    """Add the ``/expjournal/api/`` routes under the server's ``base_url``."""
    contents = getattr(server_app, "contents_manager", None)
    root = getattr(contents, "root_dir", None) or getattr(server_app, "root_dir", None) or os.getcwd()
    context = Context(root)
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [(url_path_join(base_url, NAMESPACE, name), handler, {"context": context}) for name, handler in ROUTES],
    )
