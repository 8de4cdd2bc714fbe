"""Security beyond tests/test_handlers.py: cookies without the XSRF token, cross-site origins, forged
credentials, more ways out of the server root, and user text rendered inert in the HTML views.

(test_handlers.py already proves that every route refuses a request without
credentials, and refuses '..', absolute paths, NUL bytes, a symlinked folder,
experiments/ or journal.md linking out, and $EXPJOURNAL_DIR outside the root.)
"""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import pytest
from testkit import png, tree

from jupyter_expjournal import render
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Draft, Outcome

XSS = [
    "<script>alert('name')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    "\"><svg onload=alert(2)>",
    "</td></tr></table><iframe src=javascript:alert(3)>",
    "&lt;script&gt; already escaped",
]


pytestmark = pytest.mark.usefixtures("no_env_journal")


# -- cookies, XSRF, origins -------------------------------------------------------------

@pytest.fixture
def browser(jp_fetch, jp_base_url, http_server_client):
    """A browser session: the login cookie a token request sets, then requests carrying only cookies."""
    login = []

    async def fetch(route, body=None, *, cookies=(), headers=None, params=""):
        if not login:
            response = await jp_fetch("expjournal", "api", "journal", params={"path": ""})
            cookies_set = [c.split(";", 1)[0] for c in response.headers.get_list("Set-Cookie")]
            login.extend(c for c in cookies_set if not c.startswith("_xsrf="))
            assert login, f"the server set no login cookie: {cookies_set}"
        all_headers = {"Cookie": "; ".join([*login, *cookies]), **(headers or {})}
        response = await http_server_client.fetch(
            f"{jp_base_url}expjournal/api/{route}{params}",
            method="GET" if body is None else "POST",
            body=None if body is None else json.dumps(body),
            headers=all_headers,
            raise_error=False,
        )
        return response.code, response

    return fetch


HYPOTHESIS = {"path": "", "name": "from a cookie", "hypothesis": "h", "baseline": "acc = 0.5"}


async def test_cookie_post_without_the_xsrf_token_is_refused(browser, root):
    before = tree(root)
    code, _ = await browser("hypothesis", HYPOTHESIS)
    assert code == 403
    code, _ = await browser("hypothesis", HYPOTHESIS, cookies=["_xsrf=0123456789abcdef"])  # cookie, no header
    assert code == 403
    code, _ = await browser(
        "hypothesis", HYPOTHESIS, cookies=["_xsrf=0123456789abcdef"], headers={"X-XSRFToken": "fedcba9876543210"}
    )
    assert code == 403  # header and cookie disagree
    for route in ("lesson", "result", "abandon", "check"):
        code, _ = await browser(route, {"path": "", "text": "x"}, cookies=["_xsrf=0123456789abcdef"])
        assert code == 403, route
    assert tree(root) == before
    # the same cookie with a matching token pair is accepted: the XSRF check is what refused
    code, response = await browser(
        "hypothesis", HYPOTHESIS, cookies=["_xsrf=0123456789abcdef"], headers={"X-XSRFToken": "0123456789abcdef"}
    )
    assert code == 201, response.body
    code, response = await browser("journal", params="?path=")  # reading needs no XSRF token
    assert code == 200 and [e["name"] for e in json.loads(response.body)["entries"]] == ["from a cookie"]


async def test_cross_site_post_is_refused_even_with_an_xsrf_pair(browser, root):
    before = tree(root)
    xsrf = {"cookies": ["_xsrf=0123456789abcdef"]}
    for origin in ("http://evil.example", "null"):
        code, _ = await browser("hypothesis", HYPOTHESIS, headers={"X-XSRFToken": "0123456789abcdef", "Origin": origin}, **xsrf)
        assert code in (403, 404), origin
    assert tree(root) == before


async def test_no_cors_grant_to_other_sites_for_a_browser_session(browser):
    # (a request with the token itself may be read cross-origin: jupyter_server allows that, the token being the secret)
    code, response = await browser("journal", params="?path=", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers, response.headers.get("Access-Control-Allow-Origin")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "token wrong"},
        {"Authorization": "Bearer wrong"},
        {"Cookie": "username-127-0-0-1=2|1:0|10:1700000000|forged|tampered"},
    ],
)
async def test_forged_credentials_are_refused(http_server_client, jp_base_url, root, headers):
    before = tree(root)
    for method, body in (("GET", None), ("POST", json.dumps(HYPOTHESIS))):
        response = await http_server_client.fetch(
            f"{jp_base_url}expjournal/api/{'journal?path=' if method == 'GET' else 'hypothesis'}",
            method=method,
            body=body,
            headers={**headers, "Cookie": headers.get("Cookie", "") + "; _xsrf=ab", "X-XSRFToken": "ab"},
            raise_error=False,
        )
        assert response.code == 403, (method, response.code, response.body)
    assert tree(root) == before


# -- more ways out of the root ------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    for name in ("lessons.md", "secret.lock", "gitignore"):
        (folder / name).write_text(f"outside {name}\n")
    (folder / "assets").mkdir()
    return folder


WRITES = [
    ("hypothesis", {"name": "x", "hypothesis": "h", "parallel": True}),
    ("result", {"outcome": "x", "images": [{"mime": "image/png", "data": base64.b64encode(png()).decode()}]}),
    ("lesson", {"text": "x"}),
    ("lesson", {"rule": "NEVER", "action": "x"}),
]


@pytest.mark.parametrize(
    "name, target",
    [("lessons.md", "lessons.md"), ("assets", "assets"), (".expjournal.lock", "secret.lock"), (".gitignore", "gitignore")],
)
async def test_every_journal_file_linking_out_is_refused(api, root, tmp_path, outside, name, target):
    folder = root / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text("### 2026-01-01 10:00 — open\n**Status**: PLANNED\n**Hypothesis**: h\n")
    (folder / name).symlink_to(outside / target)
    before = tree(tmp_path)
    code, data, _ = await api("journal", params={"path": "nb"})
    assert code == 403 and f"'experiments/{name}' links outside the server root" in data["error"], data
    for route, body in WRITES:
        code, data, _ = await api(route, {"path": "nb", **body})
        assert code == 403 and "links outside the server root" in data["error"], (route, data)
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    "path, status",
    [
        ("nb/./../..", 403),
        ("nb/%2e%2e/%2e%2e", 404),  # arrives as a literal folder name, which does not exist
        ("./../", 403),
        ("nb/\\..\\..", 403),
        ("~", 404),
        ("~root", 404),
        ("$HOME", 404),
        ("nb/" + "a/" * 300, 404),
    ],
)
async def test_odd_paths_are_refused_or_not_found(api, root, tmp_path, path, status):
    before = tree(tmp_path)
    code, data, _ = await api("journal", params={"path": path})
    assert code == status, (path, code, data)
    code, data, _ = await api("hypothesis", {"path": path, "name": "x", "hypothesis": "h"})
    assert code == status, (path, code, data)
    assert tree(tmp_path) == before


async def test_a_symlink_loop_is_refused_cleanly(api, root):
    (root / "loop").symlink_to(root / "loop")
    code, data, _ = await api("journal", params={"path": "loop"})
    assert code in (403, 404) and "error" in data


async def test_a_path_that_is_a_file_is_404(api, root):
    (root / "nb" / "notebook.ipynb").write_text("{}")
    code, data, _ = await api("journal", params={"path": "nb/notebook.ipynb"})
    assert code == 404 and "is not a folder" in data["error"]


async def test_entry_names_cannot_steer_asset_paths(api, root, tmp_path):
    name = "../../../../escape/evil"
    code, data, _ = await api("hypothesis", {"path": "", "name": name, "hypothesis": "h"})
    assert code == 201
    image = base64.b64encode(png()).decode()
    code, data, _ = await api("result", {"path": "", "outcome": "x", "images": [{"mime": "image/png", "data": image}]})
    assert code == 200, data
    (asset,) = data["assets"]
    assert asset.startswith("assets/") and "/" not in asset[len("assets/"):] and ".." not in asset
    assert (root / "experiments" / asset).is_file() and not (tmp_path / "escape").exists()


# -- HTML views: user text is data, never markup ------------------------------------------

class _Markup(HTMLParser):
    """Every tag and attribute of an HTML fragment, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


SAFE_TAGS = {
    "div", "span", "b", "code", "table", "tr", "th", "td", "ul", "li", "p", "figure", "figcaption", "img", "i", "br", "pre",
    "details", "summary",
}


def inert(html: str) -> str:
    """Check that ``html`` is only our own markup; return its text."""
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert set(markup.tags) <= SAFE_TAGS, set(markup.tags) - SAFE_TAGS
    for tag, key, value in markup.attrs:
        assert not key.startswith("on"), (tag, key, value)
        assert key in ("style", "class", "alt", "src", "title"), (tag, key, value)
        if key == "src":
            assert tag == "img" and value.startswith("data:image/png;base64,"), value
        if key in ("src", "style"):
            assert "javascript:" not in value.lower() and "url(" not in value.lower(), (tag, key, value)
    return "".join(markup.text)


def hostile_journal(folder) -> Journal:
    journal = Journal(folder)
    for i, evil in enumerate(XSS):
        journal.hypothesize(
            Draft(
                name=f"{evil} {i}",
                hypothesis=f"{evil} hypothesis",
                change=f"lr 1e-{i} → 1e-{i + 1}",
                config=[],
                expected="acc +0.01",
                baseline=f"acc = 0.5 {evil}",
            ),
            parallel=True,
        )
        journal.complete(
            Outcome(
                summary=f"{evil} CUDA out of memory",
                output=f"acc = 0.{i + 5}\n{evil}",
                learning=f"{evil} learned",
                next=f"{evil} next",
            ),
            name=f"{evil} {i}",
        )
        journal.add_lesson(f"{evil} lesson", source=evil)
        journal.add_rule("NEVER", f"set lr {evil}", reason=evil)
    return journal


def test_review_and_analysis_html_render_user_text_inert(tmp_path):
    journal = hostile_journal(tmp_path / "experiments")
    review = journal.review(all=True)
    assert review.analysis is not None and review.analysis.parameters
    html = render.review_html(review, images=[("<script>t</script>", base64.b64encode(png()).decode())])
    text = inert(html)
    for evil in XSS:
        assert f"{evil} hypothesis" in text and f"{evil} learned" in text, evil
        assert f"{evil} lesson" in text, evil
    analysis = render.analysis_html(review.analysis)
    inert(analysis)
    assert "out of memory" in inert(analysis)  # the failure evidence is shown, as text


def test_magics_show_user_text_inert(tmp_path, monkeypatch):
    from IPython.testing import globalipapp

    hostile_journal(tmp_path / "experiments")
    monkeypatch.setenv("EXPJOURNAL_DIR", str(tmp_path / "experiments"))
    ip = globalipapp.get_ipython()
    ip.run_line_magic("load_ext", "jupyter_expjournal")
    try:
        shown = []
        original = ip.display_pub.publish
        monkeypatch.setattr(ip.display_pub, "publish", lambda data, *a, **k: shown.append(data) or original(data, *a, **k))
        assert ip.run_cell("%review --all").success
    finally:
        monkeypatch.undo()
        ip.run_line_magic("unload_ext", "jupyter_expjournal")  # the shell is shared with the other test modules
    (bundle,) = [d for d in shown if "text/html" in d]
    text = inert(bundle["text/html"])
    assert all(f"{evil} learned" in text for evil in XSS)
