"""``jupyter expjournal merge-driver`` and ``git-setup``: git merges journal.md and lessons.md entry by entry.

git calls a merge driver with the common ancestor (``%O``), our version
(``%A``, where the result goes) and theirs (``%B``); exit 0 is a clean merge,
anything else a conflict (git's documented driver interface, as DVC's driver
for its files uses it). The merge itself is the core's
(:mod:`..core.merge`); git's own ``git merge-file`` merges the lines outside
entries, and whole files the core cannot read, so the driver is never worse
than git. ``git-setup`` registers the driver for this repository: the two
files in ``.gitattributes`` (commit it: it is the team's) and the driver in
``.git/config`` (each clone runs ``git-setup`` once).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from ..core.errors import InputError
from ..core.journal import Journal
from ..core.merge import MARKER, Merged, Unreadable, decode, merge_journal, merge_lessons, simple

DRIVER = "expjournal"
PROG = "jupyter expjournal"


def _git_line_merge(size: int):
    """git merge-file as the core's line merge: (merged text, whether it holds conflicts)."""

    def merge(base: str, ours: str, theirs: str) -> tuple[str, bool]:
        done = simple(base, ours, theirs)  # the core's rule for "at most one side changed it"
        if done is not None:
            return done, False
        with tempfile.TemporaryDirectory(prefix="expjournal-merge-") as tmp:
            paths = []
            for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
                path = Path(tmp) / name
                path.write_bytes(text.encode("utf-8"))
                paths.append(str(path))
            done = subprocess.run(["git", "merge-file", "-p", f"--marker-size={size}", "-L", "ours", "-L", "base",
                                   "-L", "theirs", *paths], capture_output=True)
        if done.returncode < 0 or done.returncode > 127:
            raise OSError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode("utf-8"), done.returncode != 0

    return merge


def _git_merge_file(ours: Path, base: Path, theirs: Path, size: int) -> bool:
    """git's own three-way merge of whole files, into ``ours``; True when it left conflicts."""
    done = subprocess.run(["git", "merge-file", f"--marker-size={size}", "-L", "ours", "-L", "base", "-L", "theirs",
                           str(ours), str(base), str(theirs)], capture_output=True)
    if done.returncode < 0 or done.returncode > 127:
        raise InputError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    return done.returncode != 0


def cmd_merge_driver(journal: Journal, args) -> bool:
    """Merge ``args.theirs`` into ``args.ours`` (written in place); True when conflicts are left."""
    paths = [Path(p) for p in (args.base, args.ours, args.theirs)]
    shown = args.path or paths[1].name
    size = args.marker_size or MARKER
    try:
        data = [p.read_bytes() for p in paths]
    except OSError as exc:
        raise InputError(f"cannot read a version of {shown}: {exc.strerror}: {exc.filename}") from None
    lessons = Path(shown).name == "lessons.md"
    try:
        base, ours, theirs = (decode(d, f"{name} version of {shown}") for d, name in zip(data, ("the base", "our", "their"),
                                                                                             strict=True))
        line_merge = _git_line_merge(size)
        merged: Merged = (merge_lessons(base, ours, theirs, line_merge) if lessons
                          else merge_journal(base, ours, theirs, line_merge, size=size))
    except Unreadable as exc:
        print(f"{PROG}: {exc}: merged by git's own three-way merge instead", file=sys.stderr)
        return _git_merge_file(paths[1], paths[0], paths[2], size)
    paths[1].write_bytes(merged.text.encode("utf-8"))
    one = merged.added == 1
    what = ("lesson or rule" if one else "lessons and rules") if lessons else ("entry" if one else "entries")
    if merged.note:
        print(f"{PROG}: {shown}: {merged.note}, by git's own three-way merge (git merge-file)", file=sys.stderr)
    if merged.conflicts:
        print(f"{PROG}: {shown}: changed differently on both sides: {', '.join(merged.conflicts)}; conflict markers"
              f" stand around {'it' if len(merged.conflicts) == 1 else 'each'} alone (keep one version, remove the"
              f" markers, then '{PROG} check')", file=sys.stderr)
    elif merged.added:
        print(f"{PROG}: {shown}: merged by entry: {merged.added} {what} from the other side", file=sys.stderr)
    return bool(merged.conflicts)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def _attribute_line(path: str) -> str:
    """A .gitattributes line for ``path`` (quoted C-style when it holds spaces, as git reads it)."""
    if any(c in path for c in ' \t"\\'):
        path = '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{path} merge={DRIVER}"


def driver_command() -> str:
    """How git is to call the driver: this very Python, so the right environment answers."""
    return f"{shlex.quote(sys.executable)} -m jupyter_expjournal merge-driver --marker-size %L %O %A %B %P"


def _refuse_a_journal_elsewhere(journal: Journal, top: Path) -> None:
    """No journal where this found one, but the repository holds one elsewhere: registering this would merge nothing."""
    if journal.journal_path.exists() or journal.lessons_path.exists():
        return
    listed = _git(["ls-files", "-co", "--exclude-standard", "--", ":(glob)**/journal.md"], top)
    others = [line for line in listed.stdout.splitlines() if line] if listed.returncode == 0 else []
    if not others:
        return  # a fresh project: its journal is to come where this found it
    folders = []
    for other in others:
        folder = (top / other).parent
        project = folder.parent if folder.name == "experiments" else folder
        folders.append(os.path.relpath(project))
    ways = " or ".join(f"'{PROG} --dir {shlex.quote(f)} git-setup'" for f in folders)
    raise InputError(f"no journal at {journal.journal_path}, but the repository holds {', '.join(others)}:"
                     f" run {ways} (or git-setup from that project's folder)")


def cmd_git_setup(journal: Journal, args) -> bool:
    """Register the driver for the repository that holds the journal; say what changed."""
    folder = Path(journal.directory)
    near = next((p for p in (folder, *folder.parents) if p.is_dir()), Path.cwd())
    found = _git(["rev-parse", "--show-toplevel"], near)
    if found.returncode != 0:
        raise InputError(f"{near} is not in a git repository: run 'git init' first (or --dir a folder in one)")
    top = Path(found.stdout.strip())
    _refuse_a_journal_elsewhere(journal, top)
    wanted = []
    for path in (journal.journal_path, journal.lessons_path):
        try:
            wanted.append(_attribute_line(Path(os.path.realpath(path)).relative_to(os.path.realpath(top)).as_posix()))
        except ValueError:
            raise InputError(f"{path} is not inside the repository {top}") from None
    changed = []
    attributes = top / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in wanted if line not in have]
    if missing:
        lead = "" if not text or text.endswith("\n") else "\n"
        with open(attributes, "a", encoding="utf-8") as fh:
            fh.write(lead + "".join(line + "\n" for line in missing))
        changed.append(f"{attributes}: added {', '.join(repr(m) for m in missing)} (commit it: the team shares it)")
    for key, value in ((f"merge.{DRIVER}.name", "jupyter_expjournal: journal.md and lessons.md merged entry by entry"),
                       (f"merge.{DRIVER}.driver", driver_command())):
        now = _git(["config", "--local", "--get", key], top)
        if now.returncode != 0 or now.stdout.strip() != value:
            done = _git(["config", "--local", key, value], top)
            if done.returncode != 0:
                raise InputError(f"git config {key} failed: {done.stderr.strip()}")
            changed.append(f".git/config: {key} = {value}")
    if changed:
        print("\n".join(changed))
    else:
        print(f"already set up: {', '.join(wanted)} in {attributes}, and the {DRIVER} driver in .git/config")
    return False
