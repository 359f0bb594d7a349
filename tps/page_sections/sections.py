from __future__ import annotations

from pelican import signals


def _order(page) -> tuple[int, str]:
    return (int(getattr(page, "order", 0) or 0), page.title.lower())


def link_sections(generator) -> None:
    pages = {getattr(page, "page_path", None): page for page in generator.pages}
    children: dict[str, list] = {}
    for path, page in pages.items():
        page.section_parent = None
        page.section_children = []
        page.section_previous = page.section_next = None
        if path and "/" in path:
            children.setdefault(path.rsplit("/", 1)[0], []).append(page)
    for parent_path, kids in children.items():
        kids.sort(key=_order)
        parent = pages.get(parent_path)
        if parent:
            parent.section_children = kids
        for index, page in enumerate(kids):
            page.section_parent = parent
            page.section_previous = kids[index - 1] if index else None
            page.section_next = kids[index + 1] if index + 1 < len(kids) else None


def register() -> None:
    signals.page_generator_finalized.connect(link_sections)
