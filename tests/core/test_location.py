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
