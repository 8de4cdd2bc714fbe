"""Where a result came from: notebook and cell, git commit, packages, host, GPUs.

Written once per hypothesis, in one line a person can read. Everything here is
cheap and optional: git is read from ``.git`` files (one short ``git status`` for
dirtiness), package versions only of modules already imported (nothing is
imported to ask), GPUs from torch when it is loaded, else ``nvidia-smi`` once per
process.
"""

from __future__ import annotations

import os
import platform
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


def git_commit(start: Path) -> tuple[str, bool | None]:
    """(commit, dirty) of the repository holding ``start``; ('', None) outside git."""
    root = git_root(start)
    if root is None:
        return "", None
    git_dir = root / ".git"
    if git_dir.is_file():  # a worktree or submodule: "gitdir: path"
        text = git_dir.read_text(encoding="utf-8", errors="replace").strip()
        git_dir = (root / text.partition("gitdir:")[2].strip()).resolve()
    commit = ""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git_dir / ref
            if ref_file.exists():
                commit = ref_file.read_text(encoding="utf-8").strip()
            else:
                packed = git_dir / "packed-refs"
                if packed.exists():
                    for line in packed.read_text(encoding="utf-8").splitlines():
                        if line.endswith(" " + ref):
                            commit = line.split(" ", 1)[0]
        else:
            commit = head
    except OSError:
        return "", None
    dirty = None
    if commit and shutil.which("git"):
        try:
            out = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=root, capture_output=True, text=True, timeout=3,
            )
            if out.returncode == 0:
                dirty = bool(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return commit, dirty


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
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=5)
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
