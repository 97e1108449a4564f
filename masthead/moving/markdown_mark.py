"""Ghost's `==highlight==` in Markdown cards, read as Ghost reads it.

Ghost renders Markdown cards with markdown-it and its markdown-it-mark plugin, which mdit-py-plugins no
longer carries; this is that plugin for markdown-it-py: `==words==` becomes `<mark>words</mark>` by the
same delimiter rules as `~~strikethrough~~` (which it was copied from upstream). Our paragraphs have no
highlight, so html_body keeps the words and drops the tag: the reader sees the words without the `=`s.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline.state_inline import Delimiter, StateInline

EQUALS = 0x3D


def mark_plugin(md: MarkdownIt) -> None:
    """Read `==words==` as a highlight (<mark>), as Ghost's Markdown does."""
    md.inline.ruler.before("emphasis", "mark", tokenize)
    md.inline.ruler2.before("emphasis", "mark", post_process)


def tokenize(state: StateInline, silent: bool) -> bool:
    """Each pair of `=` becomes a text token and a delimiter (an odd one stays text), as markdown-it-mark does."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(0, length, 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(
            Delimiter(
                marker=EQUALS,
                length=0,
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )  # fmt: skip
        )
    state.pos += scanned.length
    return True


def post_process(state: StateInline) -> None:
    """Turn matched pairs of delimiters into <mark> tags, at the top level and inside links and emphasis."""
    highlight(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            highlight(state, meta["delimiters"])


def highlight(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone_markers = []
    for opener in delimiters:
        if opener.marker != EQUALS or opener.end == -1:
            continue
        closer = delimiters[opener.end]
        for index, kind, nesting in ((opener.token, "mark_open", 1), (closer.token, "mark_close", -1)):
            token = state.tokens[index]
            token.type, token.tag, token.nesting, token.markup, token.content = kind, "mark", nesting, "==", ""
        before = state.tokens[closer.token - 1]
        if before.type == "text" and before.content == "=":
            lone_markers.append(closer.token - 1)
    # `=====` is split `=` + `==` + `==`: the lone `=` moves after the closing tags it precedes.
    while lone_markers:
        index = lone_markers.pop()
        last = index + 1
        while last < len(state.tokens) and state.tokens[last].type == "mark_close":
            last += 1
        last -= 1
        if index != last:
            state.tokens[index], state.tokens[last] = state.tokens[last], state.tokens[index]
