"""A real CommonMark + GFM renderer (markdown-it-py, as GitHub's cmark-gfm renders), and the HTML it makes as a tree.

The tests ask the HTML what a reader of the rendered journal sees: which block
each ``**Field**:`` starts, whether anything sits inside a list item that is not
the item's own text, what became code, an image, a heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

markdown_it = pytest.importorskip("markdown_it", reason="pip install '.[test]' brings markdown-it-py")
tasklists = pytest.importorskip("mdit_py_plugins.tasklists", reason="pip install '.[test]' brings mdit-py-plugins")

#: CommonMark, with GFM's tables, strikethrough and task lists (what GitHub renders a .md file with).
RENDERER = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(tasklists.tasklists_plugin)
VOID = {"img", "br", "hr", "input"}


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str
    parent: Node | None = None

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find(self, tag: str) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag]

    def ancestors(self) -> list[str]:
        out, node = [], self.parent
        while node is not None and node.tag != "root":
            out.append(node.tag)
            node = node.parent
        return out

    @property
    def blocks(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("root")

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.node.tag != tag and self.node.parent is not None:
            self.node = self.node.parent
        self.node = self.node.parent or self.root

    def handle_data(self, data):
        self.node.children.append(data)


def render(markdown: str) -> Node:
    """The HTML markdown-it makes of ``markdown``, as a tree under a ``root`` node."""
    builder = _Builder()
    builder.feed(RENDERER.render(markdown))
    builder.close()
    return builder.root


def html(markdown: str) -> str:
    return RENDERER.render(markdown)


@dataclass(frozen=True)
class Shown:
    """One ``**Name**:`` as rendered: its name, the block it starts, the tags around that block."""

    name: str
    block: Node
    first: bool  # the field name is the first thing in its block
    around: list[str]  # tags enclosing the block (li, ul, blockquote, ...); [] at the top level


def fields_shown(tree: Node) -> list[Shown]:
    """Every ``<strong>Name</strong>:`` of the page, in order, with where it sits."""
    out = []
    for strong in tree.find("strong"):
        parent = strong.parent
        siblings = parent.children
        i = siblings.index(strong)
        after = siblings[i + 1] if i + 1 < len(siblings) else ""
        if not (isinstance(after, str) and after.startswith(":")):
            continue
        before = siblings[:i]
        first = all(isinstance(b, str) and not b.strip() for b in before)
        out.append(Shown(strong.text, parent, first, parent.ancestors()))
    return out


def assert_fields_render_apart(markdown: str, names: list[str] | None = None) -> Node:
    """Each field of ``markdown`` starts its own top-level paragraph, none inside a list item; the tree.

    With ``names``, the paragraphs that start with a field name are exactly
    those fields, in order (a field swallowed into a list item or run on after
    another would be missing; bold text of a value is not a field). Without,
    every ``**Name**:`` of the page starts such a paragraph.
    """
    tree = render(markdown)
    shown = fields_shown(tree)
    starters = [s for s in shown if s.first and s.around == [] and s.block.tag == "p"]
    if names is not None:
        assert [s.name for s in starters] == names, html(markdown)
    else:
        for s in shown:
            assert s.block.tag == "p", (s.name, html(markdown))
            assert s.first, f"**{s.name}** runs on after other text:\n{html(markdown)}"
            assert s.around == [], f"**{s.name}** is inside {s.around}:\n{html(markdown)}"
    blocks = [s.block for s in starters]
    assert len(set(map(id, blocks))) == len(blocks), f"two fields share a paragraph:\n{html(markdown)}"
    return tree
