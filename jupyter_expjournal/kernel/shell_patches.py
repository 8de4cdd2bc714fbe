"""The shell's own methods through which results, displays and tracebacks pass, wrapped for the recorder.

Execute results come from the display hook's ``write_format_data`` (present in
both terminal IPython's ``DisplayHook`` and ipykernel's ``ZMQShellDisplayHook``);
rich display from ``shell.display_pub.publish``; every traceback shown from
``shell._showtraceback``, as it hands it to the front end. Each wrapper reports
to the recorder first, then calls the method it wraps, counting ``quiet`` up
while it runs: terminal IPython prints results, ``display()`` text and
tracebacks to stdout, and that text, recorded from its structured source
already, must not be recorded again as stream text.

A wrapper installed under an older generation (:meth:`ShellPatches.stop` was
called since) is a pure pass-through: it may still sit in a chain if someone
wrapped the same method after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["ShellPatches"]

_log = logging.getLogger(__name__)

_MISSING = object()


class ShellPatches:
    """One recorder's wrappers around ``shell``'s display and traceback methods.

    ``on_publish(data, kwargs)``, ``on_result(format_dict)`` and
    ``on_traceback(evalue, shown)`` are the recorder's; their exceptions are
    logged, never the user's error. ``quiet`` is above 0 while IPython itself
    prints (the recorder counts no stream text then); ``pub`` and ``hook`` are
    the display publisher and hook wrapped, ``count_offset`` how the hook's
    prompt count follows from the shell's ``execution_count`` (see
    :func:`_count_offset`).
    """

    __slots__ = ("shell", "quiet", "in_displayhook", "pub", "hook", "count_offset", "_gen", "_patches", "_patched",
                 "_on_publish", "_on_result", "_on_traceback")

    def __init__(self, shell, on_publish: Callable, on_result: Callable, on_traceback: Callable) -> None:
        self.shell = shell
        self.quiet = 0  # >0 while a display hook / publisher / traceback printer writes
        self.in_displayhook = False
        self.pub = None  # display publisher / display hook we wrapped
        self.hook = None
        self.count_offset: int | None = None  # prompt_count = execution_count - this (see _count_offset)
        self._gen = 0  # bumped by start and stop: wrappers of an older generation only pass calls on
        self._patches: list = []  # (obj, name, previous instance attr or _MISSING, wrapper)
        self._patched: set = set()  # (id(obj), name) patched in this generation
        self._on_publish, self._on_result, self._on_traceback = on_publish, on_result, on_traceback

    def start(self) -> None:
        """Wrap the shell's traceback printers, its display publisher and its display hook."""
        self._gen += 1
        self._patch_shell()
        self.patch_display()

    def stop(self) -> None:
        """Put back every method wrapped (where no one wrapped it again since: that wrapper now only passes on)."""
        self._gen += 1
        for obj, name, previous, wrapper in reversed(self._patches):
            try:
                if vars(obj).get(name) is wrapper:
                    if previous is _MISSING:
                        delattr(obj, name)
                    else:
                        setattr(obj, name, previous)
                # else: someone wrapped over us; our wrapper is now inert.
            except Exception:  # pragma: no cover - defensive
                pass
        self._patches.clear()
        self._patched.clear()
        self.pub = self.hook = self.count_offset = None
        self.quiet = 0
        self.in_displayhook = False

    def _patch(self, obj, name: str, make) -> None:
        key = (id(obj), name)
        if key in self._patched:
            return
        try:
            original = getattr(obj, name)
            previous = vars(obj).get(name, _MISSING)
        except (AttributeError, TypeError):
            return
        wrapper = make(original, self._gen)
        try:
            setattr(obj, name, wrapper)
        except (AttributeError, TypeError):
            return
        self._patched.add(key)
        self._patches.append((obj, name, previous, wrapper))

    def _patch_shell(self) -> None:
        shell = self.shell

        def quiet(original, gen):
            # showtraceback/showsyntaxerror print via _showtraceback, or
            # straight to a stream (exception groups, usage errors).
            def wrapper(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                self.quiet += 1
                try:
                    return original(*args, **kwargs)
                finally:
                    self.quiet -= 1

            return wrapper

        def show(original, gen):
            def _showtraceback(*args, **kwargs):
                if self._gen == gen:
                    evalue = args[1] if len(args) > 1 else kwargs.get("evalue")
                    stb = args[2] if len(args) > 2 else kwargs.get("stb")  # the traceback the front end gets
                    try:
                        self._on_traceback(evalue, stb)
                    except Exception:  # pragma: no cover - never break the user's cell
                        _log.debug("recording a traceback failed", exc_info=True)
                    self.quiet += 1
                    try:
                        return original(*args, **kwargs)
                    finally:
                        self.quiet -= 1
                return original(*args, **kwargs)

            return _showtraceback

        self._patch(shell, "showtraceback", quiet)
        self._patch(shell, "showsyntaxerror", quiet)
        self._patch(shell, "_showtraceback", show)

    def patch_display(self) -> None:
        """Wrap the shell's display publisher and display hook (again when the shell has new ones)."""
        shell = self.shell
        pub = shell.display_pub
        hook = shell.displayhook

        def publish(original, gen):
            def publish(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                try:
                    self._on_publish(args[0] if args else kwargs.get("data"), kwargs)
                except Exception:  # pragma: no cover - never break the user's cell
                    _log.debug("recording a display failed", exc_info=True)
                self.quiet += 1  # terminal IPython prints text/plain to stdout
                try:
                    return original(*args, **kwargs)
                finally:
                    self.quiet -= 1

            return publish

        def write_format_data(original, gen):
            def write_format_data(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                try:
                    self._on_result(args[0] if args else kwargs.get("format_dict"))
                except Exception:  # pragma: no cover - never break the user's cell
                    _log.debug("recording a result failed", exc_info=True)
                self.quiet += 1
                try:
                    return original(*args, **kwargs)
                finally:
                    self.quiet -= 1

            return write_format_data

        # The terminal display hook writes "Out[N]: " in write_output_prompt
        # and separators in finish_displayhook: silence the whole span.
        def start(original, gen):
            def start_displayhook(*args, **kwargs):
                if self._gen == gen and not self.in_displayhook:
                    self.in_displayhook = True
                    self.quiet += 1
                return original(*args, **kwargs)

            return start_displayhook

        def finish(original, gen):
            def finish_displayhook(*args, **kwargs):
                try:
                    return original(*args, **kwargs)
                finally:
                    if self._gen == gen and self.in_displayhook:
                        self.in_displayhook = False
                        self.quiet = max(0, self.quiet - 1)

            return finish_displayhook

        if pub is not None:
            self._patch(pub, "publish", publish)
        if hook is not None:
            self._patch(hook, "write_format_data", write_format_data)
            self._patch(hook, "start_displayhook", start)
            self._patch(hook, "finish_displayhook", finish)
        self.pub = pub
        self.hook = hook
        self.count_offset = _count_offset(shell, hook)


def _count_offset(shell, hook) -> int | None:
    """``hook.prompt_count`` is the shell's ``execution_count`` (a traitlet) minus this, when it is (else None).

    IPython 9's display hook subtracts 1, IPython 8's nothing. ``execution_count``
    is read from traitlets' own dict of the shell's values (``_trait_values``,
    kept by every HasTraits since traitlets 4), checked here against the
    property itself, as the recorder reads other libraries' attributes: only
    when they are there and say the same.
    """
    try:
        count = shell._trait_values["execution_count"]
        offset = count - hook.prompt_count
    except Exception:
        return None
    return offset if isinstance(count, int) and isinstance(offset, int) and offset in (0, 1) else None
