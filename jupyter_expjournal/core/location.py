"""Where the journal lives.

The seed keeps ``experiments/`` in the project root. A notebook usually runs in a
sub-folder of the project, so we walk up from the working directory to the
nearest existing ``experiments/`` folder, never past the git root (another
project's journal is not ours). With none found, the folder goes at the git root,
or in the working directory outside git. An explicit setting wins over all that.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable that names the experiments folder itself.
ENV_VAR = "EXPJOURNAL_DIR"
FOLDER = "experiments"


def git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_experiments_dir(start: Path | str | None = None, explicit: str | os.PathLike | None = None) -> Path:
    """The experiments folder for ``start`` (default: the working directory).

    ``explicit`` (a magic option or a config value) wins, then ``$EXPJOURNAL_DIR``,
    then the search described in the module docstring. Nothing is created here.
    """
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        return named_dir(chosen)
    start = Path(start or os.getcwd()).resolve()
    root = git_root(start)
    for folder in (start, *start.parents):
        if (folder / FOLDER).is_dir():
            return folder / FOLDER
        if folder == root:
            break
    return (root or start) / FOLDER


#: What an experiments folder holds: a folder with any of these is one, whatever its name.
_OWN = ("journal.md", "lessons.md", "assets")


def named_dir(path: str | os.PathLike) -> Path:
    """The experiments folder a person means by ``path``, in every face (``--dir``, ``load()``).

    The experiments folder itself, its ``journal.md``, or a project folder (it
    has an ``experiments/`` folder, or it holds other things and none of a
    journal's: a fresh project, whose ``experiments/`` is to be created) all
    name it. A folder that does not exist yet, or an empty one, is taken as the
    experiments folder to create.
    """
    folder = Path(os.path.expanduser(str(path)))
    if folder.suffix == ".md" and not folder.is_dir():
        folder = folder.parent
    elif folder.is_dir() and folder.name != FOLDER and not any((folder / name).exists() for name in _OWN):
        with os.scandir(folder) as inside:
            holds_something = next(inside, None) is not None
        if holds_something:  # its experiments/, or a fresh project's things
            folder = folder / FOLDER
    return folder.resolve()
