"""Markdown from authors becomes safe HTML."""

from college.learning.content import render_markdown


def test_markdown_renders_images_and_links_with_safe_rel():
    html = render_markdown("Zie [de gids](https://example.be/gids) ![Tillen](https://example.be/t.png)")
    assert '<a href="https://example.be/gids" rel="noopener noreferrer">de gids</a>' in html
    assert '<img src="https://example.be/t.png" alt="Tillen">' in html


def test_raw_html_and_scripts_never_come_through():
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(1)">\n\n'
        '[klik](javascript:alert(1)) <iframe src="https://evil"></iframe>'
    )
    # Raw HTML is shown as text, never as elements; the javascript: link is not a link.
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<a " not in html


def test_inline_rendering_has_no_paragraphs():
    assert str(render_markdown("*ja*", inline=True)) == "<em>ja</em>"
