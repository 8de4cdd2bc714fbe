"""Realistic journals of any size, written fast (rendered by the core's own writer, not logged one by one)."""

from __future__ import annotations

from pathlib import Path

from common import ROOT  # noqa: F401  (puts the working tree on sys.path)

from jupyter_expjournal.core.journal_format import render_entry


def entry(i: int) -> str:
    """A completed experiment as the magics write it: config, expected, baseline, output, delta, learning."""
    acc = 0.80 + (i % 17) / 1000
    fields = [
        ("Status", "COMPLETED"),
        ("Hypothesis", f"A learning rate of {i % 7 + 1}e-4 trains the {i % 5 + 2}-layer model to a better accuracy."),
        ("Change", f"lr {i % 7}e-4 → {i % 7 + 1}e-4"),
        ("Config", f"- lr: {i % 7}e-4 → {i % 7 + 1}e-4\n- batch_size: 32 (unchanged)\n- layers: {i % 5 + 2} (unchanged)"),
        ("Expected outcome", "accuracy +0.01"),
        ("Baseline", "accuracy = 0.80"),
        ("Provenance", "notebook train.ipynb (cell 3f2a); git 1a2b3c4d5e (clean); Python 3.11.7, numpy 2.1.0; host box"),
        ("Actual outcome", f"accuracy = {acc:.3f}\nOutput of cell [{i % 90 + 3}]:\n```text\n"
                           f"epoch 1 loss 0.6931\nepoch 2 loss 0.5123\naccuracy = {acc:.4f}\n```"),
        ("Delta", f"accuracy {acc - 0.8:+.3f} vs expected +0.01: {'better than' if acc > 0.81 else 'worse than'} expected"),
        ("Duration", "2 min 03 s wall from hypothesis to result; 1 min 58 s executing 2 cells"),
        ("Learning", f"the rate matters less than depth here (run {i})"),
        ("Next", "sweep depth"),
    ]
    return render_entry(f"2026-{i // 2000 % 12 + 1:02d}-{i % 28 + 1:02d} {i % 24:02d}:{i % 60:02d}", f"run {i}", fields, "\n")


def write(folder: Path, n: int) -> Path:
    """``folder``/journal.md with ``n`` entries and a lessons.md; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "journal.md").write_text("# Experiment journal\n\n" + "\n".join(entry(i) for i in range(n)), encoding="utf-8")
    (folder / "lessons.md").write_text(
        "## Lessons\n- 2026-01-02 depth matters more than rate. Source: runs 1-40\n\n"
        "## Rules (hard-won)\n- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: 2026-01-03\n",
        encoding="utf-8",
    )
    return folder
