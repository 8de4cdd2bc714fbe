"""What each request of the REST API may hold, read into the core's own objects.

A request body is checked field by field before the core is called, so a typo
or a wrong type gets one message naming the field (``'config[2].old' must be a
string, ...``) and nothing is written. What the fields *mean* is the core's:
config rows go through :func:`~jupyter_expjournal.core.draft.config_row`,
lessons and rules through :func:`~jupyter_expjournal.core.draft.lesson_request`,
a cell's outputs through :func:`~jupyter_expjournal.core.outcome.from_notebook`.
This module only maps the API's field names onto them and refuses what
cannot be mapped.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

import tornado.web

from ..core.draft import Learned, lesson_request
from ..core.errors import InputError
from ..core.model import Outcome
from ..core.outcome import IMAGE_MIMES, CellOutputs, cell_source, check_image, from_notebook

#: Larger request bodies are refused with 413 (figures come base64-encoded).
MAX_BODY = 20 * 1024 * 1024
#: Deeper JSON is refused with 400: no request needs more than a few levels (a cell's
#: outputs hold the deepest, a notebook's JSON outputs included); 100,000 levels gave a 500.
MAX_DEPTH = 100
DEEP = f"the request body is JSON nested more than {MAX_DEPTH} levels deep"

#: Where a hypothesis was written: recorded in its Provenance field.
ORIGIN_FIELDS = {"notebook", "cell_id"}
RESULT_TEXTS = ("outcome", "output", "learning", "next", "delta")
#: What the sidebar knows of the cell whose outputs it posts.
CELL_FIELDS = {"outputs", "execution_count", "execution"}
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error")


class ApiError(tornado.web.HTTPError):
    """A refusal with a status, one message and optional extra JSON fields."""

    def __init__(self, status: int, message: str, **extra: object) -> None:
        super().__init__(status)
        self.message = message
        self.extra = extra


def describe(value: object) -> str:
    """A JSON value's kind, as a message names it."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


# -- one field ---------------------------------------------------------------------------


def text(body: dict, key: str, *, where: str = "", required: bool = False, one_line: bool = False) -> str:
    """A string field; absent or null is '' unless required."""
    label = f"{where}{key}"
    value = body.get(key)
    if value is None:
        if required:
            raise ApiError(400, f"'{label}' is missing")
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"'{label}' must be a string, not {describe(value)}")
    if "\x00" in value:
        raise ApiError(400, f"'{label}' contains a NUL byte")
    if required and not value.strip():
        raise ApiError(400, f"'{label}' is empty")
    if one_line and ("\n" in value or "\r" in value):
        raise ApiError(400, f"'{label}' must be one line")
    return value


def finite_number(value: object) -> bool:
    """A JSON number that is a number (true and false are not; NaN and infinities, which JSON cannot hold, neither)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def flag(body: dict, key: str) -> bool:
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"'{key}' must be true or false, not {describe(value)}")
    return value


def only(body: dict, allowed: set[str], where: str = "") -> None:
    """Refuse unknown fields: a typo in a field name must not be dropped silently."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"unknown field '{where}{unknown[0]}' (expected: {', '.join(sorted(allowed))})")


def core_input(call, *args, **kwargs):
    """Call the core on request values; its refusal of them is a 400 with its message."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        raise ApiError(400, str(exc)) from None


# -- the body and its path ---------------------------------------------------------------


def parse(raw: bytes, allowed: set[str]) -> dict:
    """The request's JSON object, checked for size, depth and unknown fields (``path`` is always allowed).

    Depth is checked after decoding: the decoder itself refuses anything deeper
    than Python's recursion limit at once (100,000 levels in 0.2 ms), and the
    walk of what it accepted costs one step per list or object.
    """
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"the request body is {len(raw):,} bytes; the limit is {MAX_BODY:,}")
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    except RecursionError:  # the decoder stops at Python's recursion limit (~1,000 levels), in well under 1 ms
        raise ApiError(400, DEEP) from None
    if nested_deeper(body, MAX_DEPTH):
        raise ApiError(400, DEEP)
    if not isinstance(body, dict):
        raise ApiError(400, f"the request body must be a JSON object, not {describe(body)}")
    only(body, allowed | {"path"})
    return body


def nested_deeper(value: object, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels (walked without recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def path(value: object) -> str:
    """``path``: the notebook's folder relative to the server root (the handler confines it)."""
    if value is None:
        raise ApiError(400, "'path' is missing (the notebook's folder relative to the server root; '' for the root)")
    if not isinstance(value, str):
        raise ApiError(400, f"'path' must be a string, not {describe(value)}")
    if "\x00" in value:
        raise ApiError(400, "'path' contains a NUL byte")
    return value


# -- result and abandon ------------------------------------------------------------------


def images(value: object) -> list[tuple[str, bytes | str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, f"'images' must be a list of {{mime, data}}, not {describe(value)}")
    out: list[tuple[str, bytes | str]] = []
    for i, image in enumerate(value):
        where = f"images[{i}]"
        if not isinstance(image, dict):
            raise ApiError(400, f"'{where}' must be an object {{mime, data}}, not {describe(image)}")
        only(image, {"mime", "data"}, f"{where}.")
        mime = text(image, "mime", where=f"{where}.", required=True)
        data = text(image, "data", where=f"{where}.", required=True)
        # the core's image rule, named by this API's field: the type is refused by 'mime', bad data by 'data'
        label = f"'{where}.data'" if mime in IMAGE_MIMES else f"'{where}.mime'"
        try:
            out.append(check_image(mime, data, label))
        except InputError as exc:  # in this API's words since its first version: base64 that "does not decode to a PNG"
            raise ApiError(400, str(exc).replace(f"{label} is not a ", f"{label} does not decode to a ")) from None
    return out


def metrics(value: object) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, f"'metrics' must be an object {{name: number}}, not {describe(value)}")
    out = {}
    for name, number in value.items():
        if not name.strip() or "\n" in name:
            raise ApiError(400, f"'metrics' has a bad name {name!r}: names are one non-empty line")
        if not finite_number(number):
            raise ApiError(400, f"'metrics.{name}' must be a finite number, not {describe(number)}")
        out[name] = float(number)
    return out


def outputs(value: object) -> CellOutputs | None:
    """A cell's outputs as the notebook stores them (nbformat 4), read by the core's one rule."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ApiError(400, f"'outputs' must be a list of nbformat outputs, not {describe(value)}")
    for i, output in enumerate(value):
        if not isinstance(output, dict):
            raise ApiError(400, f"'outputs[{i}]' must be an object (an nbformat output), not {describe(output)}")
        kind = output.get("output_type")
        if kind not in OUTPUT_TYPES:
            raise ApiError(
                400, f"'outputs[{i}].output_type' is {kind!r}: an nbformat output is one of {', '.join(OUTPUT_TYPES)}"
            )
    try:
        cell = from_notebook(value)
        cell.images = [check_image(mime, data, f"an {mime} output in 'outputs'") for mime, data in cell.images]
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    except (TypeError, ValueError, AttributeError) as exc:  # a field of the wrong shape inside an output
        raise ApiError(400, f"'outputs' is not nbformat 4: {exc}") from None
    return cell


def cell_seconds(value: object) -> float | None:
    """How long the cell ran, from the timing JupyterLab records in its ``execution`` metadata.

    ``shell.execute_reply`` minus the kernel's start (``shell.execute_reply.started``,
    else ``iopub.execute_input``, else ``iopub.status.busy``); None when not recorded.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, f"'execution' must be an object (the cell's execution metadata), not {describe(value)}")

    def moment(key: str) -> datetime | None:
        stamp = value.get(key)
        if stamp is None:
            return None
        if not isinstance(stamp, str):
            raise ApiError(400, f"'execution.{key}' must be an ISO 8601 time, not {describe(stamp)}")
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            raise ApiError(400, f"'execution.{key}' is not an ISO 8601 time: {stamp!r}") from None

    end = moment("shell.execute_reply")
    start = moment("shell.execute_reply.started") or moment("iopub.execute_input") or moment("iopub.status.busy")
    if end is None or start is None:
        return None
    try:
        seconds = (end - start).total_seconds()
    except TypeError:  # one time with a zone, one without
        raise ApiError(400, "'execution' mixes times with and without a time zone") from None
    return max(0.0, seconds)


@dataclass
class ResultRequest:
    outcome: Outcome
    #: which open entry: ``entry`` (its id, as the entry JSON's ``ref`` gives it), else ``name`` or ``heading``
    entry: str | None = None
    cell_seconds: float | None = None  # the attached cell's run time, when its front end recorded it
    notebook: str = ""  # where the outputs came from, when the client says
    cell_id: str = ""
    #: a sweep's table as given (rows or CSV text), checked against the entry's sweep once it is known
    table: list[dict] | str | None = None


def table(value: object) -> list[dict] | str | None:
    """``table``: a sweep's results, a list of rows ``{KEY: value, metric: number}`` or CSV text (a header row,
    then a row per value), as ``result --table FILE`` reads a file. Whether it fits the entry's sweep is the
    core's (:func:`~jupyter_expjournal.core.sweep_result.given_rows`, :func:`~.sweep_result.table_rows`)."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(400, "'table' contains a NUL byte")
        return value
    if not isinstance(value, list):
        raise ApiError(400, f"'table' must be a list of rows {{KEY: value, metric: number}} or CSV text, not {describe(value)}")
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            raise ApiError(400, f"'table[{i}]' must be an object {{KEY: value, metric: number}}, not {describe(row)}")
        for name, cell in row.items():
            if not (finite_number(cell) or cell is None or isinstance(cell, str)) or (isinstance(cell, str) and "\x00" in cell):
                raise ApiError(400, f"'table[{i}].{name}' must be a number, a string or null, not {describe(cell)}")
    return value


def result_request(body: dict, *, tables: bool = True) -> ResultRequest:
    """``POST result``: texts, figures and metrics, or a cell's raw ``outputs`` with what is known of the cell;
    ``table``: a sweep's results (``tables`` False: a request that cannot hold one, as ``POST retro``)."""
    texts = {key: text(body, key) for key in RESULT_TEXTS}
    cell = outputs(body.get("outputs"))
    count = body.get("execution_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ApiError(400, f"'execution_count' must be a whole number or null, not {describe(count)}")
    source = text(body, "source", one_line=True).strip()
    if cell is not None:
        if texts["output"] or body.get("images") is not None:
            raise ApiError(400, "give a cell's 'outputs', or 'output' and 'images', not both")
        if not source and count is not None:
            source = cell_source(count)  # as %result labels a cell's output
    outcome = Outcome(
        summary=texts["outcome"],
        output=cell.text if cell is not None else texts["output"],
        images=cell.images if cell is not None else images(body.get("images")),
        metrics=metrics(body.get("metrics")),
        error=cell.error if cell is not None else "",
        learning=texts["learning"],
        next=texts["next"],
        delta=texts["delta"],
        source=source,
    )
    rows = table(body.get("table"))
    said = any(v.strip() for v in (*texts.values(), outcome.output, outcome.error))
    if not said and not outcome.images and not outcome.metrics and rows is None:
        table_field = ("table",) if tables else ()
        fields = ("outcome", "output", "outputs", "images", "metrics", *table_field, "learning", "next", "delta")
        raise ApiError(400, f"a result needs at least one of {', '.join(repr(f) for f in fields)}")
    return ResultRequest(
        outcome,
        entry=selector(body),
        cell_seconds=cell_seconds(body.get("execution")),
        notebook=text(body, "notebook", one_line=True).strip(),
        cell_id=text(body, "cell_id", one_line=True).strip(),
        table=rows,
    )


def abandon_request(body: dict) -> tuple[str, str, str | None]:
    """``POST abandon``: (reason, learning, which open entry)."""
    return text(body, "reason", required=True), text(body, "learning"), selector(body)


#: What may name the open entry a result or an abandon goes to, the first given wins.
SELECTORS = ("entry", "name", "heading")


def selector(body: dict) -> str | None:
    """Which open entry a request names: its ``entry`` (the id), else its ``name`` or ``heading``; None: the only one."""
    for key in SELECTORS:
        value = text(body, key, one_line=True).strip()
        if value:
            return value
    return None


# -- lessons and rules -------------------------------------------------------------------


LESSON_FIELDS = ("text", "context", "source", "rule", "action", "reason")


def lesson(body: dict) -> Learned:
    """``POST lesson``: ``{text, context, source}`` or ``{rule, action, reason}``, as the core reads a lesson.

    The fields map onto the core's options (a NEVER rule's reason is its
    *because*, an ALWAYS rule's its *when*), and the core decides which go
    together, as it does for the magics and the command line. Only what cannot
    be mapped is refused here: a rule kind other than NEVER or ALWAYS, an
    action or reason with no rule to belong to.
    """
    given = {key: text(body, key, one_line=key in ("context", "rule")) for key in LESSON_FIELDS}
    if body.get("rule") is None:
        stray = [key for key in ("action", "reason") if given[key].strip()]
        if stray:
            raise ApiError(400, f"'{stray[0]}' belongs to a rule: add \"rule\": \"NEVER\" or \"ALWAYS\"")
        text(body, "text", required=True)
        return core_input(lesson_request, given["text"], context=given["context"], source=given["source"])
    kind = given["rule"].strip().upper()
    if kind not in ("NEVER", "ALWAYS"):
        raise ApiError(400, f"'rule' must be NEVER or ALWAYS, not {given['rule']!r}")
    action = text(body, "action", required=True)
    if given["text"].strip():  # the core refuses it too; this API's words for it
        raise ApiError(400, f"'text' belongs to a lesson, not to a {kind} rule: a rule's text is its 'action'")
    options = {"never": action, "because": given["reason"]} if kind == "NEVER" else {"always": action, "when": given["reason"]}
    return core_input(lesson_request, given["text"], context=given["context"], source=given["source"], **options)


@dataclass
class RetroRequest:
    name: str
    hypothesis: str
    result: ResultRequest


def retro_request(body: dict) -> RetroRequest:
    """``POST retro``: the new entry's ``name`` and ``hypothesis``, and its outcome as ``POST result`` reads one."""
    name = text(body, "name", required=True, one_line=True)
    hypothesis = text(body, "hypothesis")
    rest = {key: value for key, value in body.items() if key not in ("name", "hypothesis")}
    return RetroRequest(name, hypothesis, result_request(rest, tables=False))


def learning_request(body: dict) -> tuple[str, str, str]:
    """``POST learning``: (the entry's ref, learning, next); one of the two texts at least."""
    entry = text(body, "entry", required=True, one_line=True).strip()
    learning, next_ = text(body, "learning"), text(body, "next")
    if not learning.strip() and not next_.strip():
        raise ApiError(400, "give a 'learning' or a 'next' (both are empty)")
    return entry, learning, next_
