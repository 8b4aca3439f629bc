"""The one way authored text becomes HTML: Markdown rendered, then sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is escaped by the renderer; nh3 then keeps only these tags.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str | None, inline: bool = False) -> Markup:
    """Render author Markdown to safe HTML: images and links allowed, nothing that runs.

    `inline` renders without paragraphs, for text inside a label or legend (choices).
    """
    html = (_markdown.renderInline if inline else _markdown.render)(source or "")
    return Markup(  # nosec B704 # noqa: S704 - nh3 has sanitised the HTML
        nh3.clean(
            html,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes=_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )
