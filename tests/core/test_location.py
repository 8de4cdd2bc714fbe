"""Where the journal lives: nearest experiments/ up to the git root, else created there."""

from jupyter_expjournal.core.location import ENV_VAR, find_experiments_dir


def test_nearest_experiments_folder_walking_up(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "experiments").mkdir()
    nb = tmp_path / "notebooks" / "deep"
    nb.mkdir(parents=True)
    assert find_experiments_dir(nb) == tmp_path / "experiments"
    (tmp_path / "notebooks" / "experiments").mkdir()
    assert find_experiments_dir(nb) == tmp_path / "notebooks" / "experiments"


def test_search_stops_at_the_git_root(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "experiments").mkdir()  # belongs to some outer project
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    assert find_experiments_dir(repo / "src") == repo / "experiments"  # created at the git root, not borrowed


def test_outside_git_it_goes_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_experiments_dir() == tmp_path / "experiments"


def test_explicit_setting_and_environment_win(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    assert find_experiments_dir(tmp_path) == tmp_path / "from-env"
    assert find_experiments_dir(tmp_path, explicit=tmp_path / "explicit") == tmp_path / "explicit"


def test_a_named_folder_is_the_experiments_folder_or_the_project_that_gets_one(tmp_path):
    from jupyter_expjournal.core.location import named_dir

    assert named_dir(tmp_path / "new") == tmp_path / "new"  # not there yet: the folder to create
    (tmp_path / "empty").mkdir()
    assert named_dir(tmp_path / "empty") == tmp_path / "empty"  # made for the journal
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "README.md").write_text("# a project\n")
    assert named_dir(project) == project / "experiments"  # a fresh project: its experiments/ (to create)
    (project / "experiments").mkdir()
    assert named_dir(project) == project / "experiments"
    assert named_dir(project / "experiments") == project / "experiments"
    assert named_dir(project / "experiments" / "journal.md") == project / "experiments"
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "journal.md").write_text("# Experiment journal\n")
    (logs / "notes.txt").write_text("x")
    assert named_dir(logs) == logs  # holds a journal: it is the experiments folder
