"""Page addresses built once per process: every page links to the same few, and url_for costs each time.

Templates write `{{ 'public.about'|link }}` or `{{ 'learn.module'|link(module_slug=module.slug) }}`
for addresses that depend only on the endpoint and its values (never a relative '.endpoint').
Each app keeps its own addresses, and a request served under another prefix (SCRIPT_NAME)
gets its own entries, so a kept address is always the one url_for gives.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

# The values are content slugs, so the addresses are few; the limit only keeps memory bounded.
MAX_KEPT = 4096


def link(endpoint: str, **values: str) -> str:
    """Return url_for(endpoint, **values), built the first time it is asked for."""
    if not has_request_context():
        return url_for(endpoint, **values)  # mail and commands: not worth keeping
    kept: dict = current_app.extensions.setdefault("lantern_links", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    address = kept.get(key)
    if address is None:
        if len(kept) >= MAX_KEPT:
            kept.clear()
        address = kept[key] = url_for(endpoint, **values)
    return address
