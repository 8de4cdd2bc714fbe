"""Drivers and comparisons for the conformance test (tests/test_conformance.py).

The test sends the same face-neutral input through every face and compares what
lands on disk. Each driver here says that input in its face's own syntax, in its
own experiments folder, and returns a :class:`Reply`: whether the face refused,
the message a person in front of that face reads, and the structured refusals
where the face exposes them (the REST API's 409 body).

- :class:`Magics`: a real IPython shell with the extension loaded (``%%hypothesis``
  through ``run_cell_magic``, ``%result`` and ``%lesson`` through ``run_line_magic``).
- :class:`Cli`: ``jupyter_expjournal.cli.main([...])`` in-process, ``--dir`` its folder.
- :class:`Rest`: a real jupyter_server (pytest-jupyter's ``jp_fetch``), root ``jp_root_dir``.
- :class:`Widget`: the :class:`~jupyter_expjournal.widgets.JournalPanel` over the shell's session.
- :class:`Mcp`: the agents' tools as the MCP server runs them, in-process, ``--dir`` its folder.

The kernel faces (magics, widget) share one shell and one session, as they do in a
notebook; ``$EXPJOURNAL_DIR`` is pointed at a face's folder for each of its actions
(and removed for the CLI and the server, which must not see it).
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from IPython.core.error import UsageError

from jupyter_expjournal.cli import main as cli_main
from jupyter_expjournal.core.config import ABSENT
from jupyter_expjournal.mcp_server.server import answer
from jupyter_expjournal.mcp_server.session import AgentSession
from jupyter_expjournal.widgets import JournalPanel

ENV = "EXPJOURNAL_DIR"
#: A 1×1 PNG: the figure every attach shows.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


# -- face-neutral input ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A config row: ``old``/``new`` None = the key is absent on that side; old == new = unchanged."""

    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Hypothesis:
    name: str
    hypothesis: str
    change: str = ""
    rows: tuple[Row, ...] = ()
    expected: str = ""
    baseline: str = ""


def bullet(row: Row) -> str:
    """The row as the magics' and the CLI's ``key: old → new`` / ``key: value``."""
    if row.old == row.new:
        return f"{row.key}: {row.old}"
    return f"{row.key}: {ABSENT if row.old is None else row.old} → {ABSENT if row.new is None else row.new}"


def body_of(h: Hypothesis, raw_bullets: tuple[str, ...] = ()) -> str:
    """A ``%%hypothesis`` body (also what ``jupyter expjournal hypothesis --body`` reads)."""
    lines = [h.hypothesis]
    if h.change:
        lines.append(f"change: {h.change}")
    bullets = [f"- {bullet(r)}" for r in h.rows] + list(raw_bullets)
    if bullets:
        lines += ["config:", *bullets]
    if h.expected:
        lines.append(f"expected: {h.expected}")
    if h.baseline:
        lines.append(f"baseline: {h.baseline}")
    return "\n".join(lines)


# -- what a face answered ------------------------------------------------------------------


@dataclass
class Reply:
    face: str
    refused: bool
    message: str
    status: object = None  # exit code, HTTP status, "UsageError" or "✖"
    refusals: list | None = None  # structured refusals (REST's 409 body)
    body: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.face} [{self.status}]: {self.message}"


class Face:
    """One face, writing into ``folder`` (its own experiments folder)."""

    name = "?"

    def __init__(self, folder: Path, monkeypatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch

    def kernel_env(self) -> None:
        self.monkeypatch.setenv(ENV, str(self.folder))

    def no_env(self) -> None:
        self.monkeypatch.delenv(ENV, raising=False)

    def close(self) -> None:
        pass


class Magics(Face):
    name = "magics"

    def __init__(self, folder, monkeypatch, ip) -> None:
        super().__init__(folder, monkeypatch)
        self.ip = ip

    def _run(self, call) -> Reply:
        self.kernel_env()
        try:
            call()
        except UsageError as exc:
            return Reply(self.name, True, str(exc), "UsageError")
        return Reply(self.name, False, "", "ok")

    def hypothesis(self, h: Hypothesis, *, parallel=False, force=False, strict=False, raw_bullets=()) -> Reply:
        line = h.name + (" --parallel" if parallel else "") + (" --force" if force else "")
        if strict:
            self.strict(True)
        try:
            return self._run(lambda: self.ip.run_cell_magic("hypothesis", line, body_of(h, raw_bullets)))
        finally:
            if strict:
                self.strict(False)

    def strict(self, on: bool) -> None:
        self.kernel_env()
        self.ip.run_line_magic("journal", f"--strict {'on' if on else 'off'}")

    def lesson(self, options: dict[str, str]) -> Reply:
        return self._run(lambda: self.ip.run_line_magic("lesson", lesson_line(options)))

    def lesson_line(self, line: str) -> Reply:
        return self._run(lambda: self.ip.run_line_magic("lesson", line))

    def run_cell(self, code: str):
        self.kernel_env()
        return self.ip.run_cell(code, store_history=True)

    def result(self, learning: str = "", next: str = "") -> Reply:
        line = (f"--learning {learning} " if learning else "") + (f"--next {next}" if next else "")
        return self._run(lambda: self.ip.run_line_magic("result", line.strip()))


def lesson_line(options: dict[str, str]) -> str:
    """``%lesson`` options as typed: the lesson first, then ``--option value`` (no quotes needed)."""
    parts = [options["text"]] if options.get("text") else []
    for key in ("context", "source", "never", "always", "because", "when"):
        if key in options:
            parts.append(f"--{key} {options[key] or chr(34) * 2}")
    return " ".join(parts)


class Cli(Face):
    name = "cli"

    def run(self, *args: str) -> Reply:
        self.no_env()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_main(["--dir", str(self.folder), *args])
            except SystemExit as exc:  # argparse: usage errors exit 2
                code = exc.code
        return Reply(self.name, code != 0, err.getvalue().strip(), code)

    def hypothesis(self, h: Hypothesis, *, parallel=False, force=False, strict=False, raw_bullets=(), body_file=None) -> Reply:
        args = ["hypothesis", h.name]
        if body_file is not None:
            body_file.write_text(body_of(h, raw_bullets), encoding="utf-8")
            args += ["--body", str(body_file)]
        else:
            for flag, value in (("--hypothesis", h.hypothesis), ("--change", h.change)):
                if value:
                    args += [flag, value]
            for text in [bullet(r) for r in h.rows] + [b.removeprefix("- ") for b in raw_bullets]:
                args += ["--config", text]
            for flag, value in (("--expected", h.expected), ("--baseline", h.baseline)):
                if value:
                    args += [flag, value]
        args += [f for f, on in (("--parallel", parallel), ("--strict", strict), ("--force", force)) if on]
        return self.run(*args)

    def lesson(self, options: dict[str, str]) -> Reply:
        args = ["lesson"] + ([options["text"]] if options.get("text") else [])
        for key in ("context", "source", "never", "always", "because", "when"):
            if key in options:
                args += [f"--{key}", options[key]]
        return self.run(*args)

    def result(self, outcome: str) -> Reply:
        return self.run("result", "--outcome", outcome)


class Rest(Face):
    """The REST API; the journal is found from ``path`` "" (the server root, a git root)."""

    name = "rest"

    def __init__(self, folder, monkeypatch, fetch, loop) -> None:
        super().__init__(folder, monkeypatch)
        self.fetch, self.loop = fetch, loop

    def post(self, route: str, body: dict) -> Reply:
        self.no_env()
        response = self.loop.run_until_complete(
            self.fetch("expjournal", "api", route, method="POST", body=json.dumps({"path": "", **body}), raise_error=False)
        )
        data = json.loads(response.body) if response.body else {}
        refused = response.code >= 300
        return Reply(self.name, refused, data.get("error", "") if refused else "", response.code, data.get("refusals"), data)

    @staticmethod
    def rows(h: Hypothesis, typed: bool) -> list[dict]:
        """Rows as the sidebar sends them: null for an absent side (``typed``: the string "(none)")."""
        out = []
        for r in h.rows:
            if r.old == r.new:
                out.append({"key": r.key, "old": r.old, "new": r.new} if typed else {"key": r.key, "value": r.old})
            else:
                absent = ABSENT if typed else None
                out.append({"key": r.key, "old": absent if r.old is None else r.old, "new": absent if r.new is None else r.new})
        return out

    def hypothesis(self, h: Hypothesis, *, parallel=False, force=False, strict=False, typed=False, raw_rows=()) -> Reply:
        body = {"name": h.name, "hypothesis": h.hypothesis, "change": h.change, "config": self.rows(h, typed) + list(raw_rows),
                "expected": h.expected, "baseline": h.baseline, "parallel": parallel, "strict": strict, "force": force}
        return self.post("hypothesis", body)

    def lesson(self, options: dict[str, str]) -> Reply:
        """A lesson ``{text, context, source}``, or a rule ``{rule, action, reason}`` (the REST API's own fields)."""
        kind = "NEVER" if "never" in options else "ALWAYS" if "always" in options else None
        body = {k: options[k] for k in ("text", "context", "source") if k in options}
        reason = options.get("because", options.get("when"))
        if kind:
            body.update(rule=kind, action=options["never" if kind == "NEVER" else "always"])
        if reason is not None:
            body["reason"] = reason
        return self.post("lesson", body)

    def result(self, outputs: list[dict], *, source: str = "", learning: str = "", next: str = "") -> Reply:
        body = {"outputs": outputs, "learning": learning, "next": next}
        if source:
            body["source"] = source
        return self.post("result", body)


class Widget(Face):
    """The panel over the shell's session; refusals show as ``✖ ...`` in ``panel.message``."""

    name = "widget"

    def __init__(self, folder, monkeypatch, ip) -> None:
        super().__init__(folder, monkeypatch)
        self.ip = ip
        self._panel: JournalPanel | None = None

    @property
    def panel(self) -> JournalPanel:
        self.kernel_env()
        if self._panel is None:
            self._panel = JournalPanel(self.ip._expjournal.session, poll_seconds=0)
        self._panel.refresh(force=True)
        return self._panel

    def close(self) -> None:
        if self._panel is not None:
            self._panel.close()

    def _click(self, button) -> Reply:
        button.click()
        message = self._panel.message
        return Reply(self.name, message.startswith("✖"), message, "✖" if message.startswith("✖") else "ok")

    @staticmethod
    def rows(h: Hypothesis, typed: bool) -> list[tuple[str, str, str]]:
        """Rows as typed in the form: old empty = added (``typed``: "(none)"), new "(none)" = removed, new empty = unchanged."""
        out = []
        for r in h.rows:
            if r.old == r.new:
                out.append((r.key, r.old, ""))
            else:
                old = (ABSENT if typed else "") if r.old is None else r.old
                out.append((r.key, old, ABSENT if r.new is None else r.new))
        return out

    def hypothesis(self, h: Hypothesis, *, parallel=False, force=False, strict=False, typed=False, raw_rows=()) -> Reply:
        settings = self.ip._expjournal  # the session's settings: strict comes from %journal / the configuration
        settings.strict = strict
        try:
            form = self.panel.form
            form.name.value, form.hypothesis.value, form.change.value = h.name, h.hypothesis, h.change
            form.set_rows(self.rows(h, typed) + list(raw_rows))
            form.expected.value, form.baseline.value = h.expected, h.baseline
            form.parallel.value, form.force.value = parallel, force
            return self._click(form.submit)
        finally:
            settings.strict = False

    def lesson(self, options: dict[str, str]) -> Reply:
        """The lesson tab: kind, text, and one reason field (source / because / when)."""
        panel = self.panel
        kind = "NEVER" if "never" in options else "ALWAYS" if "always" in options else "lesson"
        panel.lesson_kind.value = kind
        text = options.get({"NEVER": "never", "ALWAYS": "always", "lesson": "text"}[kind], "")
        context = options.get("context", "")
        if context and hasattr(panel, "lesson_context"):
            panel.lesson_context.value = context
        elif context:  # no context field: the lesson box's own form, "context: what you learned"
            text = f"{context}: {text}"
        panel.lesson_text.value = text
        panel.lesson_reason.value = options.get({"NEVER": "because", "ALWAYS": "when", "lesson": "source"}[kind], "")
        return self._click(panel.add_lesson)

    def run_cell(self, code: str):
        self.kernel_env()
        return self.ip.run_cell(code, store_history=True)

    def attach(self, learning: str = "", next: str = "") -> Reply:
        panel = self.panel
        panel.learning.value, panel.next.value = learning, next
        return self._click(panel.attach)


class Mcp(Face):
    """The agents' face: each tool call as the MCP server runs it (``mcp_server.server.answer``: the argument check,
    the session, the core), in-process as the CLI is; tests/mcp_server drives the real server process."""

    name = "mcp"

    def __init__(self, folder, monkeypatch) -> None:
        super().__init__(folder, monkeypatch)
        self.session = AgentSession(folder)

    def call(self, tool: str, arguments: dict) -> Reply:
        self.no_env()
        text, failed = answer(self.session, tool, arguments)
        return Reply(self.name, failed, text, "isError" if failed else "ok")

    def hypothesis(self, h: Hypothesis, *, parallel=False, force=False, strict=False) -> Reply:
        config = {r.key: bullet(r).split(": ", 1)[1] for r in h.rows}  # key -> "old → new" / "value"
        self.session.strict = strict  # the server's --strict
        try:
            return self.call("plan_experiment", {"name": h.name, "hypothesis": h.hypothesis, "change": h.change,
                                                 "config": config, "expected": h.expected, "baseline": h.baseline,
                                                 "parallel": parallel, "force": force})
        finally:
            self.session.strict = False

    def lesson(self, options: dict[str, str]) -> Reply:
        """add_rule for a NEVER/ALWAYS rule (kind, text, reason), add_lesson otherwise (text, context, source)."""
        for kind, reason in (("never", "because"), ("always", "when")):
            if kind in options:
                return self.call("add_rule", {"kind": kind.upper(), "text": options[kind], "reason": options.get(reason, "")})
        return self.call("add_lesson", {k: options[k] for k in ("text", "context", "source") if k in options})


# -- what is on disk, and comparing it -------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (lock files aside): "nothing written" is equality."""
    out = {}
    if not folder.exists():
        return out
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.endswith(".lock"):
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


_HEADING_TIME = re.compile(r"^(### )\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?", re.M)
_PROVENANCE = re.compile(r"^\*\*Provenance\*\*:.*(?:\r?\n)?", re.M)
_DURATION = re.compile(r"^(\*\*Duration\*\*:).*$", re.M)
#: What differs between two runs of the same cell: its prompt number, and the assets' time stamp.
_CELL_MASKS = (
    (re.compile(r"\bcell \[\d+\]"), "cell [N]"),
    (re.compile(r"\bcell \d+ figure"), "cell N figure"),
    (re.compile(r"\bIn ?\[\d+\]"), "In[N]"),
    (re.compile(r"<ipython-input-\d+-"), "<ipython-input-N-"),
    (re.compile(r"\bassets/\d{12}-"), "assets/STAMP-"),
)


def normalize(text: str, *, cells: bool = False) -> str:
    """journal.md or lessons.md as comparable text.

    The heading's time and lessons' dates are masked, the Provenance line dropped
    (it names the face's own surroundings), Duration's value masked (it is a time,
    but whether a face records one is compared). ``cells``: also mask a cell's
    prompt number and the assets' time stamp (two runs of one cell differ there).
    """
    text = _HEADING_TIME.sub(r"\1YYYY-MM-DD HH:MM", text)
    text = _PROVENANCE.sub("", text)
    text = _DURATION.sub(r"\1 <time>", text)
    text = re.sub(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])", "YYYY-MM-DD", text)
    if cells:
        for pattern, mask in _CELL_MASKS:
            text = pattern.sub(mask, text)
    return text


def disk_text(folder: Path, *, cells: bool = False) -> str:
    """The folder as one comparable text: each file's normalized text, images by size and digest."""
    parts = []
    for name, data in snapshot(folder).items():
        shown = normalize(name, cells=True) if cells else name
        if name.endswith(".md") or name == ".gitignore":
            parts.append(f"=== {shown}\n{normalize(data.decode('utf-8'), cells=cells)}")
        else:
            parts.append(f"=== {shown}\n<{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}>\n")
    return "\n".join(parts)


def drift(label: str, texts: dict[str, str]) -> list[str]:
    """Faces grouped by identical text; a unified diff from the largest group to each other group."""
    groups: dict[str, list[str]] = {}
    for face, text in texts.items():
        groups.setdefault(text, []).append(face)
    if len(groups) <= 1:
        return []
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    (ref_text, ref_faces), others = ordered[0], ordered[1:]
    ref = "+".join(ref_faces)
    out = []
    for text, faces in others:
        other = "+".join(faces)
        diff = difflib.unified_diff(ref_text.splitlines(keepends=True), text.splitlines(keepends=True), ref, other)
        out.append(f"{label}: {other} differ from {ref}:\n" + "".join(diff))
    return out


class Findings:
    """Collects every disagreement of a case, so one failure shows all the drift at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def same(self, label: str, texts: dict[str, str]) -> None:
        self.problems += drift(label, texts)

    def expect(self, ok: bool, text: str) -> None:
        if not ok:
            self.problems.append(text)

    def unchanged(self, face: Face, before: dict[str, bytes], what: str) -> None:
        after = snapshot(face.folder)
        if after != before:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            self.problems.append(f"{what}: {face.name} wrote although it refused: {changed}")

    def check(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


def notebook_outputs(ip, result, text: str) -> list[dict]:
    """The outputs a notebook stores for the attach cell (nbformat 4), as ipykernel would send them.

    The cell printed ``text``, displayed :data:`PNG` and raised; the traceback is the
    shell's own structured traceback of that error (what ``_showtraceback`` sends to a
    front end), so it names the same ``Cell In[N]`` the kernel showed.
    """
    error = result.error_in_exec
    traceback = ip.InteractiveTB.structured_traceback(type(error), error, error.__traceback__)
    return [
        {"output_type": "stream", "name": "stdout", "text": text},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": base64.b64encode(PNG).decode("ascii"), "text/plain": "<IPython.core.display.Image object>"}},
        {"output_type": "error", "ename": type(error).__name__, "evalue": str(error), "traceback": traceback},
    ]


def dedash(text: str) -> str:
    """A face's message with option dashes dropped (``--never`` -> ``never``), to find the core's sentence in it."""
    return re.sub(r"(?<![\w-])--(?=\w)", "", text)

