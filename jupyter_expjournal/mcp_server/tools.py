"""The tools an agent sees: their names, arguments and help, as data, and the check of what it sent.

Tool and argument names are a contract (DESIGN.md): agents, their prompts and
the README depend on them. Each tool's JSON Schema (what ``tools/list`` shows)
and the check of a call's arguments come from the one table below, so the two
cannot drift. The check is about shape only (a string where a string goes, no
argument the tool does not take): what the values mean (an empty hypothesis,
a config row that cannot be written, a rule's kind) is the core's to decide, as
it is for every other face. Each bad argument gets one line naming it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.errors import InputError

STRING, BOOLEAN, INTEGER, STRINGS, TABLE = "string", "boolean", "integer", "strings", "table"
SWEEP, ROWS = "sweep", "rows"

#: A value of a sweep or a cell of a table, as JSON holds it.
_SCALAR = {"type": ["string", "number"]}
#: A sweep: ``"gamma"``, ``"gamma=0.001,0.01,0.1"`` or ``{"key": "gamma", "values": [0.001, 0.01, 0.1]}``.
_SWEEP_OBJECT = {"type": "object", "properties": {"key": {"type": "string"}, "values": {"type": "array", "items": _SCALAR}},
                 "required": ["key"], "additionalProperties": False}


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str  # one of STRING, BOOLEAN, INTEGER, STRINGS (a list of strings), TABLE (an object of strings),
    # SWEEP (a spec string or a {key, values} object; a list of them, as the CLI's --sweep repeated, is the core's
    # to refuse), ROWS (a list of row objects, or CSV text)
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()  # a STRING's values (case ignored)

    def schema(self) -> dict:
        shape = {
            STRING: {"type": "string"},
            BOOLEAN: {"type": "boolean"},
            INTEGER: {"type": "integer", "minimum": 0},
            STRINGS: {"type": "array", "items": {"type": "string"}},
            TABLE: {"type": "object", "additionalProperties": {"type": "string"}},
            SWEEP: {"anyOf": [{"type": "string"}, _SWEEP_OBJECT,
                              {"type": "array", "items": {"anyOf": [{"type": "string"}, _SWEEP_OBJECT]}}]},
            ROWS: {"anyOf": [{"type": "string"}, {"type": "array", "items": {
                "type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}}]},
        }[self.kind]
        if self.choices:
            shape = {**shape, "enum": list(self.choices)}
        return {**shape, "description": self.help}

    def empty(self) -> object:
        """The value of an optional argument not given: what the core reads as "not said"."""
        return {STRING: "", BOOLEAN: False, INTEGER: None, STRINGS: [], TABLE: {}, SWEEP: None, ROWS: None}[self.kind]


@dataclass(frozen=True)
class Tool:
    name: str
    help: str
    args: tuple[Arg, ...] = ()
    read_only: bool = False

    def schema(self) -> dict:
        return {
            "type": "object",
            "properties": {a.name: a.schema() for a in self.args},
            "required": [a.name for a in self.args if a.required],
            "additionalProperties": False,
        }


NAME_HELP = "the experiment: its id (the 8 hex digits after 'id' in its Provenance), its heading or its name"
OPEN_HELP = ("which open experiment, by id, heading or name; default: the one this session planned, "
             "else the only one open")

TOOLS = (
    Tool("plan_experiment",
         "Log a PLANNED experiment in experiments/journal.md BEFORE running anything: what you expect and why. "
         "Refused while another experiment is still PLANNED (log its result or abandon it first, or pass parallel=true). "
         "The answer lists the recent entries and the rules that apply, and warns when several variables change, "
         "no baseline is given or the same change was already tried: read them before you run. "
         "To run ONE variable at several values (a sweep: one experiment, many runs), pass sweep instead of "
         "planning one experiment per value.",
         (Arg("name", STRING, "a short name for the experiment, one line (e.g. 'QLoRA rank 64')", required=True),
          Arg("hypothesis", STRING, "what you expect to happen and why", required=True),
          Arg("change", STRING, "exactly what changes, one variable (e.g. 'lora_r 32 → 64')"),
          Arg("config", TABLE, "the config rows: key → 'old → new' for what changes, key → 'value' for what stays "
              "(e.g. {\"lora_r\": \"32 → 64\", \"lora_alpha\": \"64\"})"),
          Arg("expected", STRING, "the expected outcome, a metric target if you have one (e.g. 'eval_acc +0.02')",
              required=True),
          Arg("baseline", STRING, "the current best metric to beat (e.g. 'eval_acc = 0.78')"),
          Arg("parallel", BOOLEAN, "open it although another experiment is still PLANNED"),
          Arg("force", BOOLEAN, "log it although strict mode refuses (several variables, no baseline)"),
          Arg("sweep", SWEEP, "a one-variable sweep, one entry for all its runs, its values fixed before anything "
              "runs: 'gamma=0.001,0.01,0.1' or {\"key\": \"gamma\", \"values\": [0.001, 0.01, 0.1]}; or 'gamma' "
              "alone when config lists the values ({\"gamma\": \"scale → [0.001, 0.01, 0.1]\"}). One key, two "
              "values or more; a config row of the key gives its old value ({\"gamma\": \"scale\"})"))),
    Tool("log_result",
         "Complete the open experiment with what actually happened: Status becomes COMPLETED, and the Delta is "
         "computed from metrics named in the outcome (eval_acc = 0.81) against the baseline and the expectation. "
         "Log the result before planning the next experiment. For a sweep, the outcome names each value beside its "
         "metrics, a line per run ('gamma=0.001 accuracy=0.97'), or table holds them: the entry gets the table, "
         "the best value, its Delta and the curve (saved in experiments/assets/).",
         (Arg("outcome", STRING, "what actually happened: metrics as 'name = value', behaviour (a sweep: a line "
              "per value, 'gamma=0.001 accuracy=0.97'; may be empty when table holds the result)", required=True),
          Arg("learning", STRING, "one sentence: what this taught you"),
          Arg("next", STRING, "what to try based on this result"),
          Arg("name", STRING, OPEN_HELP),
          Arg("delta", STRING, "the delta in words, where no metric compares"),
          Arg("images", STRINGS, "figures to attach: paths of .png/.jpg/.svg files inside the project "
              "(relative to the project folder, or absolute); copied into experiments/assets/"),
          Arg("table", ROWS, "a sweep's result: a row per value, a column for the key swept and one per metric, "
              "as rows ([{\"gamma\": 0.001, \"accuracy\": 0.97}, ...]) or CSV text ('gamma,accuracy\\n0.001,0.97')"))),
    Tool("abandon_experiment",
         "Close the open experiment as ABANDONED, saying why (an honest close beats a missing one).",
         (Arg("reason", STRING, "why it is abandoned", required=True),
          Arg("name", STRING, OPEN_HELP))),
    Tool("add_lesson",
         "Distill a lesson into experiments/lessons.md (every 3-5 experiments, or when a pattern emerges).",
         (Arg("text", STRING, "the lesson (e.g. 'alpha/r ratio matters more than absolute rank for 7B models')",
              required=True),
          Arg("context", STRING, "what it is about, written before it (e.g. 'QLoRA')"),
          Arg("source", STRING, "where it comes from: experiment results, a user correction, a paper"))),
    Tool("add_rule",
         "Add a hard-won rule to experiments/lessons.md: NEVER <text> because <reason>, or ALWAYS <text> when <reason>.",
         (Arg("kind", STRING, "NEVER or ALWAYS", required=True, choices=("NEVER", "ALWAYS")),
          Arg("text", STRING, "what to avoid (NEVER) or to do (ALWAYS)", required=True),
          Arg("reason", STRING, "NEVER: because what; ALWAYS: when", required=True))),
    Tool("review",
         "Review before the next experiment: open experiments, the last entries (hypothesis, expected vs actual, delta, "
         "learning), lessons and rules, reminders, and an analysis of every entry (each parameter's effect, repeated "
         "changes, runs that broke).",
         (Arg("n", INTEGER, "how many recent entries to show (default 5)"),), read_only=True),
    Tool("list_entries",
         "One line per entry (id, time, status, name, outcome), oldest first.",
         (Arg("status", STRING, "only entries of this status: planned, completed or abandoned (several: 'completed,abandoned')"),
          Arg("text", STRING, "only entries holding every word of this text: name, fields, metrics, config "
              "('accuracy = 0.975')")), read_only=True),
    Tool("show_entry",
         "An entry exactly as journal.md holds it.",
         (Arg("name", STRING, NAME_HELP, required=True),), read_only=True),
    Tool("check_journal",
         "Check journal.md and lessons.md for the discipline's mistakes: unreadable headings, no status or hypothesis, "
         "several variables changed, no baseline, completed without a learning, lessons overdue.",
         read_only=True),
)

BY_NAME = {tool.name: tool for tool in TOOLS}


def shown(value: object) -> str:
    """A value an agent sent, as its error names it (JSON, cut short)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(tool: Tool, arg: Arg, value: object) -> object:
    where = f"{tool.name}: '{arg.name}'"
    if arg.kind == STRING:
        if not isinstance(value, str):
            raise InputError(f"{where} must be a string, not {shown(value)}")
        if arg.choices and value.upper() not in arg.choices:
            raise InputError(f"{where} must be {' or '.join(arg.choices)}, not {shown(value)}")
        return value
    if arg.kind == BOOLEAN:
        if not isinstance(value, bool):
            raise InputError(f"{where} must be true or false, not {shown(value)}")
        return value
    if arg.kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"{where} must be a whole number, 0 or more, not {shown(value)}")
        return value
    if arg.kind == STRINGS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{where} must be a list of strings, not {shown(value)}")
        return value
    if arg.kind == SWEEP:
        return _sweep(where, value)
    if arg.kind == ROWS:
        return _rows(where, value)
    if not isinstance(value, dict):
        raise InputError(f"{where} must be an object of key → value strings, not {shown(value)}")
    for key, item in value.items():
        if not isinstance(item, str):
            raise InputError(f"{where}: the value of {shown(key)} must be a string ('old → new' or 'value'), "
                             f"not {shown(item)}")
    return value


def _sweep(where: str, value: object) -> object:
    """A sweep's shape: a spec string, a {key, values} object, or a list of them (the core refuses several keys)."""
    if isinstance(value, list):
        return [_sweep(where, item) for item in value]
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise InputError(f"{where} must be 'KEY=v1,v2,...' or {{\"key\": KEY, \"values\": [v1, v2, ...]}}, "
                         f"not {shown(value)}")
    unknown = [k for k in value if k not in ("key", "values")]
    if unknown or not isinstance(value.get("key"), str):
        named = f"no {shown(unknown[0])}" if unknown else "its 'key' must be a string"
        raise InputError(f"{where} is {{\"key\": KEY, \"values\": [v1, v2, ...]}}: {named}")
    values = value.get("values") or []
    if not isinstance(values, list) or not all(_scalar(v) and v is not None and not isinstance(v, bool) for v in values):
        raise InputError(f"{where}: 'values' must be a list of numbers or strings, not {shown(values)}")
    return {"key": value["key"], "values": values}


def _rows(where: str, value: object) -> object:
    """A table's shape: CSV text, or a list of row objects whose cells are numbers, strings, booleans or null."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise InputError(f"{where} must be a list of rows ({{\"gamma\": 0.001, \"accuracy\": 0.97}}) or CSV text, "
                         f"not {shown(value)}")
    for row in value:
        for column, cell in row.items():
            if not _scalar(cell):
                raise InputError(f"{where}: the cell {shown(column)} of a row must be a number or a string, "
                                 f"not {shown(cell)}")
    return value


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float))


def check(name: str, arguments: dict | None) -> dict:
    """A call's arguments as the tool's code reads them (every argument there, optional ones empty when not given).

    Raises :class:`InputError` naming the first argument that is missing, unknown or of the wrong type.
    """
    tool = BY_NAME.get(name)
    if tool is None:
        raise InputError(f"no tool named {shown(name)}: the tools are {', '.join(BY_NAME)}")
    arguments = arguments or {}
    known = {a.name for a in tool.args}
    unknown = [key for key in arguments if key not in known]
    if unknown:
        takes = f"it takes {', '.join(a.name for a in tool.args)}" if tool.args else "it takes none"
        raise InputError(f"{tool.name}: no argument {shown(unknown[0])} ({takes})")
    out = {}
    for arg in tool.args:
        value = arguments.get(arg.name)
        if value is None:
            if arg.required:
                raise InputError(f"{tool.name}: '{arg.name}' is missing: {arg.help}")
            out[arg.name] = arg.empty()
        else:
            out[arg.name] = _checked(tool, arg, value)
    return out
