"""The guidance library: Markdown files in clinic/guidance/pages/, parsed once per process.

Each file starts with a small header between two `---` lines:

    ---
    title: Principles of supervised tapering
    slug: supervised-tapering
    summary: One sentence for the index.
    version: 1.0
    content_as_of: 2025-12-31
    last_reviewed: 2026-11-26
    order: 3
    sources:
    - SAMHSA TIP 63, Medications for Opioid Use Disorder
    ---

`content_as_of` is the date the facts on the page describe (a page about 2025 regulation says
so, however recently it was read again); `last_reviewed` is when a person last checked it.

The pages live in the repository so every change goes through review. The body is rendered with
Markdown with raw HTML switched off: a page can format text and link, never inject markup.
A link to another page is written with its bare slug, e.g. `[harm reduction](harm-reduction)`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

PAGES_DIR = Path(__file__).resolve().parent / "pages"

REQUIRED_KEYS = ("title", "slug", "summary", "version", "content_as_of", "last_reviewed", "order", "sources")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION = re.compile(r"^\d+(?:\.\d+)*$")
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


class GuidancePageError(ValueError):
    """A page file that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class GuidancePage:
    slug: str
    title: str
    summary: str
    version: str
    content_as_of: dt.date  # the date the page's facts describe
    last_reviewed: dt.date  # when a person last checked the page
    order: int
    sources: tuple[str, ...]
    body: str  # the Markdown source below the header
    html: SafeString  # the rendered body, safe because raw HTML is never passed through


def parse_page(text: str, *, name: str = "<page>") -> tuple[dict, str]:
    """Split a page into (header values, Markdown body). Raises GuidancePageError."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise GuidancePageError(f"{name}: the first line must be ---")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise GuidancePageError(f"{name}: the header has no closing ---") from None
    header: dict = {}
    current_list: list[str] | None = None
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        if line.lstrip().startswith("- "):
            if current_list is None:
                raise GuidancePageError(f"{name}, line {number}: a list item outside a list key")
            current_list.append(line.lstrip()[2:].strip())
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise GuidancePageError(f"{name}, line {number}: expected `key: value`")
        if key in header:
            raise GuidancePageError(f"{name}, line {number}: {key} is given twice")
        value = value.strip()
        if value:
            header[key] = value
            current_list = None
        else:
            header[key] = current_list = []
    return header, "\n".join(lines[end + 1 :]).strip() + "\n"


def _validated(header: dict, *, name: str) -> dict:
    missing = [key for key in REQUIRED_KEYS if key not in header]
    if missing:
        raise GuidancePageError(f"{name}: missing {', '.join(missing)}")
    unknown = sorted(set(header) - set(REQUIRED_KEYS))
    if unknown:
        raise GuidancePageError(f"{name}: unknown keys {', '.join(unknown)}")
    if not isinstance(header["sources"], list) or not header["sources"]:
        raise GuidancePageError(f"{name}: sources must be a list of at least one item")
    for key in ("title", "slug", "summary", "version", "content_as_of", "last_reviewed", "order"):
        if not isinstance(header[key], str):
            raise GuidancePageError(f"{name}: {key} must be one value, not a list")
    if not SLUG.match(header["slug"]):
        raise GuidancePageError(f"{name}: slug must be lowercase words joined by hyphens")
    if not VERSION.match(header["version"]):
        raise GuidancePageError(f"{name}: version must look like 1.0")
    dates = {}
    for key in ("content_as_of", "last_reviewed"):
        try:
            dates[key] = dt.date.fromisoformat(header[key])
        except ValueError:
            raise GuidancePageError(f"{name}: {key} must be a date like 2026-11-26") from None
    if dates["content_as_of"] > dates["last_reviewed"]:
        raise GuidancePageError(f"{name}: content_as_of cannot be after last_reviewed")
    try:
        order = int(header["order"])
    except ValueError:
        raise GuidancePageError(f"{name}: order must be a whole number") from None
    return {**header, **dates, "order": order, "sources": tuple(header["sources"])}


class _SafeLinks(Treeprocessor):
    """Point slug links at their page, keep web/mail/phone links, drop anything else.

    Also demotes headings one level below the page's own <h1>, and drops images: pages are text.
    """

    def __init__(self, md, page_urls: dict[str, str]):
        super().__init__(md)
        self.page_urls = page_urls

    def run(self, root: ElementTree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "img":
                    parent.remove(child)
        for element in root.iter():
            if element.tag == "h1":
                element.tag = "h2"
            if element.tag != "a":
                continue
            href = element.get("href", "")
            target, _, fragment = href.partition("#")
            if target in self.page_urls:
                element.set("href", self.page_urls[target] + (f"#{fragment}" if fragment else ""))
            elif urlsplit(href).scheme in SAFE_SCHEMES:
                element.set("rel", "noopener noreferrer")
            else:
                element.attrib.pop("href", None)
                element.tag = "span"


class _SafeExtension(Extension):
    def __init__(self, page_urls: dict[str, str]):
        super().__init__()
        self.page_urls = page_urls

    def extendMarkdown(self, md) -> None:
        # Raw HTML blocks and inline tags become escaped text instead of markup.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md, self.page_urls), "steady_safe_links", 1)


def render_markdown(body: str, *, page_urls: dict[str, str] | None = None) -> SafeString:
    """Markdown to HTML with raw HTML escaped and only safe links kept."""
    md = markdown.Markdown(extensions=[_SafeExtension(page_urls or {})], output_format="html")
    # Raw HTML in the page is escaped by _SafeExtension and unsafe link schemes are dropped, so the
    # output holds only markup Markdown itself produced from our own reviewed files.
    return mark_safe(md.convert(body))  # nosec B308 B703


def load_pages(directory: Path = PAGES_DIR) -> dict[str, GuidancePage]:
    """Every page in `directory`, by slug, in reading order. Raises GuidancePageError."""
    parsed = []
    for path in sorted(directory.glob("*.md")):
        header, body = parse_page(path.read_text(encoding="utf-8"), name=path.name)
        values = _validated(header, name=path.name)
        if values["slug"] != path.stem:
            raise GuidancePageError(f"{path.name}: slug {values['slug']!r} must match the file name")
        parsed.append((values, body))
    page_urls = {values["slug"]: reverse("guidance:page", args=[values["slug"]]) for values, _ in parsed}
    pages = [
        GuidancePage(
            slug=values["slug"],
            title=values["title"],
            summary=values["summary"],
            version=values["version"],
            content_as_of=values["content_as_of"],
            last_reviewed=values["last_reviewed"],
            order=values["order"],
            sources=values["sources"],
            body=body,
            html=render_markdown(body, page_urls=page_urls),
        )
        for values, body in parsed
    ]
    pages.sort(key=lambda page: (page.order, page.title))
    return {page.slug: page for page in pages}


@cache
def all_pages() -> dict[str, GuidancePage]:
    """The library, parsed once per process: the files only change with a deploy."""
    return load_pages()
