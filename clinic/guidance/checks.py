"""A page file that cannot be parsed stops `manage.py check` (and so every deploy) with its name."""

from __future__ import annotations

from django.core.checks import Error, register

from clinic.guidance.pages import GuidancePageError, load_pages


@register()
def guidance_pages_parse(app_configs, **kwargs) -> list[Error]:
    try:
        load_pages()
    except GuidancePageError as error:
        return [Error(str(error), hint="Fix the header of the page file.", id="guidance.E001")]
    return []
