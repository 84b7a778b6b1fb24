"""Invoice PDFs with WeasyPrint. It needs Debian's pango at import time; where that is missing the
pages say so (503) instead of failing."""

from django.contrib.staticfiles import finders


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (pango) are not installed here."""


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import CSS, HTML  # imported late: it loads pango, which may be missing
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    stylesheet = CSS(filename=finders.find("serendip/invoice-pdf.css"))
    # No base_url: the document references nothing outside itself, so nothing is fetched.
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])
