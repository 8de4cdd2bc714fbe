"""A journal whose entry links images inside the experiments folder and files outside it."""

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def leaky_journal(tmp_path):
    """experiments/journal.md linking assets/x.png (inside) and ../secret.txt, an absolute path, a symlink
    leading outside and a URL (not files of the experiments folder). Returns (folder, inside, outside links)."""
    folder = tmp_path / "proj" / "experiments"
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "x.png").write_bytes(PNG)
    (tmp_path / "proj" / "secret.txt").write_text("s3cr3t-key\n")
    absolute = tmp_path / "hostname"
    absolute.write_text("s3cr3t-host\n")
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG + b"s3cr3t-png")
    (folder / "assets" / "link.png").symlink_to(outside)
    skipped = ["../secret.txt", str(absolute), "assets/link.png", "https://example.com/a.png"]
    links = "\n".join(f"![{i}]({link})" for i, link in enumerate(["assets/x.png", *skipped]))
    (folder / "journal.md").write_text(
        "# Experiment journal\n\n### 2026-11-25 14:03 — leaky\n**Status**: COMPLETED\n**Hypothesis**: links stay inside\n"
        "**Change**: lr 1 → 2\n**Baseline**: acc = 0.5\n"
        f"**Actual outcome**: acc = 0.6\n\n{links}\n**Learning**: only the folder's files leave it\n",
        encoding="utf-8")
    return folder, ["assets/x.png"], skipped
