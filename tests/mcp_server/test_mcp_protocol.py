"""The server as a client's process sees it: only JSON-RPC on stdout, a clean exit, a clear word without the SDK.

These speak the wire protocol by hand (newline-delimited JSON-RPC over the
process's pipes), as an MCP client does, so that every byte on stdout is seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from mcp_client import ROOT, server_command, server_env

from jupyter_expjournal.core.journal import Journal

#: A stray print in the core and a raw write to file descriptor 1, then the CLI as usual.
NOISY = """
import os, sys
import jupyter_expjournal.core.journal as core
original = core.Journal.hypothesize
def noisy(self, *args, **kwargs):
    print("a stray print from the core")
    sys.stdout.flush()
    os.write(1, b"a stray write to fd 1\\n")
    return original(self, *args, **kwargs)
core.Journal.hypothesize = noisy
from jupyter_expjournal.cli import main
sys.exit(main(sys.argv[1:]))
"""

PLAN = {"name": "noisy", "hypothesis": "prints do not reach the wire", "expected": "a clean protocol",
        "baseline": "none yet"}


def messages(*calls: tuple[str, dict]) -> bytes:
    """initialize, initialized, then each (method, params) as a request numbered from 2."""
    out = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
           {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    out += [{"jsonrpc": "2.0", "id": i, "method": method, "params": params} for i, (method, params) in enumerate(calls, 2)]
    return b"".join(json.dumps(m).encode() + b"\n" for m in out)


def converse(command: list[str], data: bytes, timeout: float = 60) -> subprocess.CompletedProcess:
    """Write every message, then close stdin as a client that is done does; the server's whole answer.

    The answers are awaited before stdin closes: a server may drop requests still queued when its input ends.
    """
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=server_env(), cwd=ROOT)
    process.stdin.write(data)
    process.stdin.flush()
    expected = data.count(b'"id":')
    lines = []
    deadline = time.monotonic() + timeout
    while len(lines) < expected and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
    process.stdin.close()
    rest = process.stdout.read()
    stderr = process.stderr.read()
    code = process.wait(timeout=timeout)
    return subprocess.CompletedProcess(command, code, b"".join(lines) + rest, stderr)


def test_nothing_but_json_rpc_reaches_stdout_and_the_server_exits_cleanly(tmp_path):
    folder = tmp_path / "experiments"
    command = [sys.executable, "-c", NOISY, *server_command(folder)[3:]]
    done = converse(command, messages(("tools/list", {}), ("tools/call", {"name": "plan_experiment", "arguments": PLAN}),
                                      ("tools/call", {"name": "review", "arguments": {}})))
    lines = done.stdout.decode("utf-8").splitlines()
    replies = [json.loads(line) for line in lines]  # every line is JSON ...
    assert all(r["jsonrpc"] == "2.0" and ("result" in r or "error" in r) for r in replies)  # ... and JSON-RPC
    assert [r["id"] for r in replies] == [1, 2, 3, 4]
    assert "logged PLANNED 'noisy'" in replies[2]["result"]["content"][0]["text"]
    assert not replies[2]["result"].get("isError")
    stderr = done.stderr.decode("utf-8", "replace")
    assert "a stray print from the core" in stderr and "a stray write to fd 1" in stderr  # where they went instead
    assert done.returncode == 0, stderr  # stdin closed: the server ends, with no traceback
    assert "Traceback" not in stderr
    assert [e.name for e in Journal(folder).entries()] == ["noisy"]


def test_a_client_that_goes_away_mid_session_ends_the_server(tmp_path):
    process = subprocess.Popen(server_command(tmp_path / "experiments"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=server_env())
    process.stdin.write(messages()[: -1])  # initialized is not even finished
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    assert [json.loads(line)["id"] for line in process.stdout.read().splitlines()] == [1]  # initialize was answered
    assert b"Traceback" not in process.stderr.read()


def test_without_the_mcp_extra_the_command_says_how_to_install_it(tmp_path):
    """``sys.modules[name] = None`` is how Python spells a package that is not there: importing it fails."""
    folder = tmp_path / "experiments"
    absent = ("import sys; sys.modules['mcp'] = sys.modules['mcp_types'] = None; "
              "from jupyter_expjournal.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", absent, "mcp", "--dir", str(folder)], capture_output=True, env=server_env(),
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode() == ("jupyter expjournal: the MCP server needs the mcp package (2.x): "
                                    "pip install 'jupyter_expjournal[mcp]'\n")
    assert not folder.exists()


def test_the_command_imports_no_front_end_before_it_serves():
    """What makes start-up fast: the path to the first answer imports the core and the SDK, no Jupyter face."""
    probe = ("import sys; import jupyter_expjournal.cli.main, jupyter_expjournal.mcp_server.server as s; s.sdk(); "
             "print(sorted(m for m in ('IPython', 'tornado', 'jupyter_server', 'ipywidgets', 'pandas', 'matplotlib',"
             " 'jupyter_expjournal.kernel', 'jupyter_expjournal.server', 'jupyter_expjournal.widgets') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=server_env(), timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_started_by_hand_it_says_what_it_waits_for_and_ctrl_c_stops_it(tmp_path):
    """stdin a terminal: one line on stderr (stdout stays the protocol's); SIGINT ends it with no traceback."""
    import os
    import pty
    import signal

    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(server_command(tmp_path / "experiments"), stdin=terminal, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=server_env())
        first = process.stderr.readline().decode()
        assert first.startswith("jupyter expjournal mcp: serving ") and "Ctrl+C" in first
        time.sleep(0.5)  # serving: the SDK has claimed its streams
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 128 + signal.SIGINT  # as a shell reports an interrupted command
        assert process.stdout.read() == b""
        assert b"Traceback" not in process.stderr.read()
    finally:
        os.close(controller)
        os.close(terminal)
