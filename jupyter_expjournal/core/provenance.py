"""Where a result came from: notebook and cell, git commit, packages, host, GPUs.

Written once per hypothesis, in one line a person can read. Everything here is
cheap and optional. The commit and dirtiness come from git itself
(``git rev-parse HEAD``, then ``git status --porcelain``: two short subprocesses,
a few milliseconds), not from reading ``.git`` by hand: a linked worktree keeps
its HEAD in ``.git/worktrees/NAME`` but its refs in the common dir, a submodule's
``.git`` is a file pointing elsewhere, refs may be packed or kept in a reftable,
and git alone knows all of that. Outside git (no ``.git`` up the tree) or with git
not installed, nothing is run and nothing is printed. Package versions only of
modules already imported (nothing is imported to ask), GPUs from torch when it
is loaded, else ``nvidia-smi`` once per process.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .location import git_root

#: Import name -> distribution name, for the packages an ML result depends on.
KEY_PACKAGES = {
    "torch": "torch",
    "tensorflow": "tensorflow",
    "jax": "jax",
    "keras": "keras",
    "sklearn": "scikit-learn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "catboost": "catboost",
    "transformers": "transformers",
    "peft": "peft",
    "accelerate": "accelerate",
    "datasets": "datasets",
    "numpy": "numpy",
    "pandas": "pandas",
}


@dataclass
class Provenance:
    notebook: str = ""
    cells: list[str] = field(default_factory=list)
    commit: str = ""
    dirty: bool | None = None
    python: str = ""
    packages: dict[str, str] = field(default_factory=dict)
    host: str = ""
    gpus: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``notebook nb.ipynb (cell 3f2a); git 1a2b3c4 (dirty); Python 3.11.7, torch 2.3; host box; GPU 2 × A100``."""
        parts = []
        if self.notebook or self.cells:
            cells = f" (cell {', '.join(self.cells)})" if self.cells else ""
            parts.append(f"notebook {self.notebook or '?'}{cells}")
        if self.commit:
            parts.append(f"git {self.commit[:10]}" + (" (dirty)" if self.dirty else " (clean)" if self.dirty is False else ""))
        parts.append(", ".join([f"Python {self.python}"] + [f"{k} {v}" for k, v in self.packages.items()]))
        if self.host:
            parts.append(f"host {self.host}")
        if self.gpus:
            parts.append(f"GPU {gpu_summary(self.gpus)}")
        return "; ".join(parts)


def gpu_summary(gpus: list[str]) -> str:
    names = sorted(set(gpus))
    return ", ".join(f"{gpus.count(n)} × {n}" for n in names)


#: Variables that point git at a repository other than the one found from the folder (set inside git hooks,
#: for one). Dropped, so the answer is about the repository holding ``start``.
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")


def _git(exe: str, start: Path, env: dict[str, str], *args: str) -> str | None:
    """stdout of one git command run in ``start``, or None when it fails; nothing reaches the user's terminal."""
    try:
        out = subprocess.run(
            [exe, "-C", str(start), *args],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace", timeout=3, env=env,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console window flashing on Windows
        )
    except (OSError, subprocess.SubprocessError, ValueError):  # FileNotFoundError is an OSError
        return None
    return out.stdout if out.returncode == 0 else None


def git_commit(start: Path) -> tuple[str, bool | None]:
    """(commit, dirty) of the repository holding ``start``; ('', None) outside git, before its first commit,
    or without git installed. ``dirty`` is None when git cannot say (it timed out, say)."""
    if git_root(start) is None:  # no ``.git`` up the tree: git would find no repository either, so don't run it
        return "", None
    exe = shutil.which("git")
    if exe is None:
        return "", None
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not take index.lock from under the user's own git commands
    # One process for both (a hypothesis pays for it): the v2 porcelain's header names the commit.
    status = _git(exe, start, env, "status", "--porcelain=v2", "--branch", "--untracked-files=no")
    if status is not None:
        lines = status.splitlines()
        oid = next((line[len("# branch.oid "):].strip() for line in lines if line.startswith("# branch.oid ")), "")
        if oid and oid != "(initial)":
            return oid, any(not line.startswith("#") for line in lines if line.strip())
        if oid == "(initial)":
            return "", None
    # status failed (timed out, an old git without v2): the commit alone, dirtiness unknown
    commit = (_git(exe, start, env, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") or "").strip()
    return (commit, None) if commit else ("", None)


def loaded_packages() -> dict[str, str]:
    """Versions of the key packages this process has already imported."""
    out = {}
    for module, dist in KEY_PACKAGES.items():
        mod = sys.modules.get(module)
        version = getattr(mod, "__version__", None) if mod is not None else None
        if isinstance(version, str):
            out[dist] = version
    return out


def gpus() -> list[str]:
    """GPU model names: from torch when it is loaded, else nvidia-smi (once per process)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_available():
                return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
            return []
        except Exception:  # a broken CUDA setup is not our error to raise
            pass
    return list(_nvidia_smi())


@lru_cache(maxsize=1)
def _nvidia_smi() -> tuple[str, ...]:
    if not shutil.which("nvidia-smi"):
        return ()
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.stdout.splitlines() if line.strip()) if out.returncode == 0 else ()


def collect(start: str | os.PathLike | None = None, *, notebook: str = "", cells: list[str] | None = None) -> Provenance:
    commit, dirty = git_commit(Path(start or os.getcwd()).resolve())
    return Provenance(
        notebook=notebook,
        cells=[c for c in (cells or []) if c],
        commit=commit,
        dirty=dirty,
        python=platform.python_version(),
        packages=loaded_packages(),
        host=socket.gethostname(),
        gpus=gpus(),
    )


_NOTEBOOK_PART = re.compile(r"notebook (.+?)(?: \(cell ([^()]*)\))?")


def origin(provenance: str) -> tuple[str, list[str]]:
    """The notebook and cells a Provenance field names (as :meth:`Provenance.describe` writes them).

    ``('', [])`` when it names none; the notebook is ``''`` when only cells
    are known (``notebook ? (cell 3f2a)``). A face uses it to take the person
    back to where the entry was written.
    """
    for part in provenance.split("; "):
        m = _NOTEBOOK_PART.fullmatch(part.strip())
        if m:
            notebook = "" if m.group(1) == "?" else m.group(1)
            cells = [c.strip() for c in (m.group(2) or "").split(",") if c.strip()]
            return notebook, cells
    return "", []
