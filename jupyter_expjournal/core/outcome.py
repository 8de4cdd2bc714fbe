"""What a run showed, turned into an entry's result: text, metrics, images, errors.

Every face that attaches outputs ends here: the kernel's recorder hands over
the outputs it saw, the sidebar posts a cell's outputs as the notebook stores
them (nbformat), the CLI a log file and image files. One set of rules decides
what becomes the Actual outcome text, which images are kept (and under which
file type), what an error reads like, how long output is cut, and which
linked files count as the entry's own.

Pure: no I/O here except :func:`linked_file`'s path resolution.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .model import Entry, Outcome
from .text import LONE_SURROGATE

#: Captured output longer than this is cut in the middle, with a marker.
MAX_OUTPUT_LINES = 60
MAX_OUTPUT_CHARS = 8000

#: The image types an entry keeps, preferred first when one output carries several.
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
#: The file name ending an image of each type is saved under.
IMAGE_EXTENSION = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
#: Image files a face may attach or show, by suffix.
IMAGE_FILE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
#: What a raster image's bytes start with: a file that does not is not that image.
_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n", "PNG"), "image/jpeg": (b"\xff\xd8\xff", "JPEG")}

# CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)


@dataclass
class CellOutputs:
    """A cell's outputs as a person reading the notebook sees them."""

    text: str = ""
    images: list[tuple[str, bytes | str]] = field(default_factory=list)
    error: str = ""  # the first error's "EName: value" line


def clean_text(text: str) -> str:
    """Terminal escapes out, carriage-return progress bars collapsed to their last state, and a lone
    surrogate (bytes that were not UTF-8, decoded with ``surrogateescape``) shown as U+FFFD: UTF-8
    cannot store it, and captured output is shown, not refused."""
    if not text.isascii():
        text = LONE_SURROGATE.sub("\ufffd", text)
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\r" in text:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if "\r" in line:
                line = line.rstrip("\r")  # a CRLF line ending is not an overwrite
                lines[i] = line[line.rfind("\r") + 1 :]
        text = "\n".join(lines)
    return text


def _joined(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def image_of(data: Mapping) -> tuple[str, bytes | str] | None:
    """The one image a display bundle shows: PNG, else JPEG, else SVG; raster data as bytes, SVG as text."""
    for mime in IMAGE_MIMES:
        value = data.get(mime)
        if value is None:
            continue
        if mime == "image/svg+xml":
            return mime, _joined(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return mime, bytes(value)
        try:
            return mime, base64.b64decode("".join(_joined(value).split()))
        except (binascii.Error, ValueError):
            return None
    return None


def from_notebook(outputs: Iterable[Mapping]) -> CellOutputs:
    """A cell's outputs in the notebook's own format (nbformat 4): what the sidebar posts.

    Stream text, results' and displays' ``text/plain`` (left out for a display
    that carries an image: its text is a placeholder such as ``<Figure size
    640x480 with 1 Axes>``), and errors with their tracebacks, each output on
    its own line; one image per display. The kernel's recorder hands its
    outputs over in the same shape, so both faces attach the same thing.
    """
    parts: list[str] = []
    images: list[tuple[str, bytes | str]] = []
    error = ""
    for out in outputs:
        kind = out.get("output_type")
        piece = ""
        if kind == "stream":
            piece = _joined(out.get("text"))
        elif kind == "error":
            head = f"{out.get('ename', '')}: {out.get('evalue', '')}"
            error = error or clean_text(head)
            traceback = "\n".join(_joined(line) for line in out.get("traceback") or [])
            piece = traceback if traceback.strip() else head
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") or {}
            image = image_of(data)
            if image is not None:
                images.append(image)
            elif any(m in data for m in IMAGE_MIMES):
                pass  # an image that does not decode: neither it nor its placeholder text
            else:
                piece = _joined(data.get("text/plain"))
        if piece:
            parts.append(piece if piece.endswith("\n") else piece + "\n")
    return CellOutputs(clean_text("".join(parts)), images, error)


def cell_source(prompt: int | None, unnumbered: str = "the previous cell") -> str:
    """Where an outcome's output came from, as the entry names it: ``cell [12]`` (``Output of cell [12]:``)."""
    return f"cell [{prompt}]" if prompt is not None else unnumbered


def image_file(path: str | Path, data: bytes) -> tuple[str, bytes | str]:
    """An image file to attach, checked: a known type whose bytes are that type."""
    mime = IMAGE_FILE_TYPES.get(Path(path).suffix.lower())
    if mime is None:
        kinds = ", ".join(sorted(IMAGE_FILE_TYPES))
        raise InputError(f"{path}: only {kinds} files can be attached")
    return check_image(mime, data, str(path))


def read_image_file(path: str | Path, where: str) -> tuple[str, bytes | str]:
    """The image file at ``path`` as :func:`image_file` checks it; a type it does not take is refused unread.

    ``where`` is how the face names the input in its errors (``--image plot.png``).
    """
    try:
        data = Path(path).read_bytes() if Path(path).suffix.lower() in IMAGE_FILE_TYPES else b""
        return image_file(path, data)
    except OSError as exc:
        raise InputError(f"{where}: {exc.strerror}") from None
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (resolved) lies within the folder ``root`` (resolved): THE rule for "a file of this folder"."""
    return Path(root).resolve() in Path(path).resolve().parents


def check_image(mime: str, data: bytes | str, where: str) -> tuple[str, bytes | str]:
    """An image as a face received it, refused unless it is what it says it is."""
    if mime not in IMAGE_MIMES:
        raise InputError(f"{where} is {mime!r}: only {', '.join(IMAGE_MIMES)} are kept")
    if mime == "image/svg+xml":
        text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
        if "<svg" not in text.lower():
            raise InputError(f"{where} is not SVG text")
        return mime, text
    raw = data
    if isinstance(data, str):
        try:
            raw = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(f"{where} is not valid base64") from None
    signature, kind = _SIGNATURES[mime]
    if not bytes(raw).startswith(signature):
        raise InputError(f"{where} is not a {kind} image")
    return mime, bytes(raw)


def linked_file(directory: Path, link: str) -> Path | None:
    """The file an entry's image link names, if it is a file of the experiments folder.

    A link to anywhere else (``../../home/.aws/credentials``, an absolute path,
    a link resolving outside, a URL) is not the entry's: no face reads, shows or
    uploads it. Returns the resolved path, which may not exist.
    """
    if not link or _SCHEME.match(link) or link.startswith(("/", "\\")):
        return None
    path = (Path(directory).resolve() / link).resolve()
    return path if inside(directory, path) else None


#: What stands where output was cut (by the capture, or by :func:`cut_output`).
CUT = re.compile(r"\[… ([\d,]+) lines?, ([\d,]+) characters? cut …\]")


def cut_marker(lines: int, chars: int) -> str:
    """The line that stands where ``lines`` lines (``chars`` characters) of output were cut."""
    return f"[… {lines:,} line{'' if lines == 1 else 's'}, {chars:,} character{'' if chars == 1 else 's'} cut …]"


def cut_output(text: str, max_lines: int = MAX_OUTPUT_LINES, max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and tail of long output, saying how much was cut between.

    A marker the capture already left in the part cut here (the kernel keeps a
    long cell's head and tail) is added to this one's count: the one marker
    left counts every line and character of the output that is not shown.
    """
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= max_lines and len(text) <= max_chars:
        return text.rstrip("\n")
    head_n, tail_n = (max_lines * 2) // 3, max_lines // 3
    head, tail = lines[:head_n], lines[-tail_n:] if tail_n else []
    while len("\n".join(head + tail)) > max_chars and (len(head) > 1 or len(tail) > 1):
        if len(head) >= len(tail):
            head = head[:-1]
        else:
            tail = tail[1:]
    body = "\n".join(head + tail)
    if len(body) > max_chars:  # a few enormous lines
        head = [("\n".join(head))[: max_chars // 2]]
        tail = [("\n".join(tail))[-max_chars // 2 :]] if tail else []
    # what is not shown: the text less the lines shown and the one line break that joins them
    shown = len("\n".join(head)) + len("\n".join(tail)) + (1 if head and tail else 0)
    cut_lines, cut_chars = len(lines) - len(head) - len(tail), len(text.rstrip("\n")) - shown
    for line in lines[len(head) : len(lines) - len(tail)]:
        found = CUT.fullmatch(line) if line.startswith("[… ") else None
        if found:  # the capture's marker: what it stands for was cut, not the marker line itself
            cut_lines += int(found.group(1).replace(",", "")) - 1
            cut_chars += int(found.group(2).replace(",", "")) - len(line) - 1
    return "\n".join(head + [cut_marker(cut_lines, cut_chars)] + tail)


def fenced(text: str) -> str:
    """A code fence that no backtick run inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def output_metrics(output: str, cut: Mapping[str, float] | None = None) -> dict[str, float]:
    """The metrics an output shows, last value winning, with ``cut``: those of the part the capture cut.

    The capture keeps the head and the tail of a long log and reads the metrics
    of what it drops (``cut``, in order). A metric the tail prints again is the
    tail's; one printed only before the cut is the cut part's when it went on there.
    """
    from .metrics import parse_metrics

    if not cut:
        return parse_metrics(output)
    marks = list(CUT.finditer(output))
    if not marks:
        return {**parse_metrics(output), **cut}
    head, tail = output[: marks[0].start()], output[marks[-1].end() :]
    return {**parse_metrics(head), **cut, **parse_metrics(tail)}


#: At most this many metrics make a summary line (a classification report prints twenty).
SUMMARY_METRICS = 6


def metrics_line(metrics: Mapping[str, float], named: str = "") -> str:
    """``accuracy = 0.97, f1 = 0.96``: the metrics ``named`` mentions (the baseline, the expectation) first,
    at most :data:`SUMMARY_METRICS`, saying how many more the output holds."""
    said = named.casefold()
    order = list(metrics)  # as printed; when too many to show, those mentioned first (a stable sort)
    if len(order) > SUMMARY_METRICS:
        order.sort(key=lambda k: k.casefold() not in said)
    shown = ", ".join(f"{k} = {metrics[k]:.6g}" for k in order[:SUMMARY_METRICS])
    more = len(order) - SUMMARY_METRICS
    return shown + (f" (and {more} more in the output)" if more > 0 else "")


def _same(read: float | None, value: float) -> bool:
    """The value the text reads as is the value (to the 6 digits a summary writes; nan is nan)."""
    if read is None:
        return False
    return (math.isnan(read) and math.isnan(value)) or math.isclose(read, value, rel_tol=1e-5, abs_tol=1e-12)


def figure_links(outcome: Outcome, asset_names: list[str]) -> list[str]:
    """``![cell 12 figure 1](assets/...)``: a link per image saved, its caption (if given) the alt text."""
    alt = re.sub(r"[\[\]]", "", outcome.source or "output")
    links = []
    for i, name in enumerate(asset_names, 1):
        caption = re.sub(r"[\[\]\n]", " ", outcome.captions[i - 1]).strip() if i <= len(outcome.captions) else ""
        links.append(f"![{caption or f'{alt} figure {i}'}](assets/{name})")
    return links


#: Delta when nothing compared (the outcome names no metric of the baseline or expectation).
NO_DELTA = "not computed: no metric of the baseline or expected outcome was found in the output (give the delta in words)"


def result_fields(entry: Entry, outcome: Outcome, result_value: object, asset_names: list[str]) -> list[tuple[str, str]]:
    """The fields a result adds to ``entry``: Actual outcome (summary, output, images), Delta, ...

    ``asset_names`` are the file names the outcome's images were saved under,
    in order, inside ``assets/``.
    """
    from .metrics import compare, format_delta, metrics_from_value, parse_metrics

    read = output_metrics(outcome.output, outcome.cut_metrics)  # the whole output's: cutting loses none
    metrics = dict(outcome.metrics)
    if not metrics:
        if result_value is not None:
            metrics.update(metrics_from_value(result_value))
        # what the person typed as the outcome ("accuracy = 0.97") counts for the names nothing measured gives
        metrics = {**parse_metrics(outcome.summary), **read, **metrics}
    summary = outcome.summary.strip()
    if not summary and outcome.error:  # captured, not typed: a NUL is shown as the NUL symbol, like the output
        summary = f"Error: {outcome.error.splitlines()[0]}".replace("\x00", "\u2400")
    if not summary and metrics:
        summary = metrics_line(metrics, f"{entry.baseline}\n{entry.expected}")
    if not summary and (outcome.output or outcome.images):
        summary = f"see the output of {outcome.source or 'the cell'} below"
    parts = [summary]
    if outcome.output.strip():
        label = f"Output of {outcome.source}:" if outcome.source else "Output:"
        # NUL bytes in captured output are shown as the NUL symbol, not refused
        parts.append(label + "\n" + fenced(cut_output(outcome.output.replace("\x00", "\u2400"))))
    # what the entry's text would read as its metrics; a value it would misread (cut out of the output
    # kept, here or by the capture) is written out, after the output, so the last value read is the real one
    shown = parse_metrics("\n".join(p for p in parts if p))
    lost = {k: v for k, v in {**read, **dict(outcome.metrics)}.items() if not _same(shown.get(k), v)}
    if lost:
        parts.append("Metrics of the whole output (the part cut above included): "
                     + ", ".join(f"{k} = {v!r}" for k, v in lost.items()))
    parts.extend(figure_links(outcome, asset_names))
    delta = outcome.delta.strip()
    if not delta:
        delta = format_delta(compare(entry.baseline, entry.expected, metrics)) or NO_DELTA
    return [
        # a paragraph each: the summary, the output (its label and fence), the figures; in one paragraph a
        # renderer runs the summary and the label together ("accuracy = 0.97 Output of cell [5]:")
        ("Actual outcome", "\n\n".join(p for p in parts if p)),
        ("Delta", delta),
        ("Duration", outcome.duration),
        ("Learning", outcome.learning),
        ("Next", outcome.next),
    ]
