"""The one way to render a PDF: a Jinja template in templates/, through WeasyPrint.

The URL fetcher only reads the app's own static files and inline data: URLs, so a rendered
document can never reach the network or the rest of the disk.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC = (Path(__file__).resolve().parent / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """Fetches data: URLs and files below college/static; refuses everything else."""

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(STATIC) and path.is_file():
                return super().fetch(url, headers)
        raise ValueError(f"resource not allowed in a PDF: {url}")


def render_pdf_html(template: str, *, title: str, author: str, language: str = "nl",
                    **context) -> str:
    """The HTML that render_pdf turns into a PDF (title, author and language for its metadata)."""
    return render_template(template, pdf_title=title, pdf_author=author, pdf_language=language,
                           **context)


def html_to_pdf(html: str, *, archival: bool = False) -> bytes:
    """Write HTML to PDF bytes with the static-only fetcher; `archival` writes tagged PDF/A-3a."""
    document = HTML(
        string=html,
        base_url=STATIC.as_uri() + "/",
        url_fetcher=StaticOnlyFetcher(allowed_protocols=("data", "file")),
    )
    options = {"pdf_variant": "pdf/a-3a"} if archival else {}
    with warnings.catch_warnings():
        # WeasyPrint opens its sRGB profile for PDF/A and leaves closing it to the garbage
        # collector (inside write_pdf); a worker renders many PDFs in one process.
        warnings.filterwarnings("ignore", message=r"unclosed file .*sRGB2014\.icc",
                                category=ResourceWarning)
        return document.write_pdf(**options)


def render_pdf(
    template: str,
    *,
    title: str,
    author: str,
    language: str = "nl",
    archival: bool = False,
    **context,
) -> bytes:
    """Render templates/<template> to PDF bytes; `archival` writes tagged PDF/A-3a."""
    html = render_pdf_html(template, title=title, author=author, language=language, **context)
    current_app.logger.debug("rendering %s to PDF", template)
    return html_to_pdf(html, archival=archival)

