"""Page pieces built once per process: addresses and fragments that read the same for everyone.

Every page links to the same few addresses, and url_for costs each time: templates write
`{{ 'public.about'|link }}` or `{{ 'learn.module'|link(module_slug=module.slug) }}` for an
address that depends only on the endpoint and its values (never a relative '.endpoint').

A fragment is a small template whose output depends only on the key it is kept under, never
on the person, the CSRF token or the time: a module's card on the learner home depends on the
module, its status and the best score, so thousands of learners share a few dozen cards.

Each app keeps its own pieces (its course is fixed while it serves), and a request served under
another prefix (SCRIPT_NAME) gets its own, so a kept piece is always what rendering would give.
"""

from __future__ import annotations

from flask import current_app, has_request_context, render_template, request, url_for
from markupsafe import Markup

# The keys are content slugs and statuses, so the pieces are few; the limit only keeps memory bounded.
MAX_KEPT = 4096


def _kept(kind: str) -> dict:
    kept: dict = current_app.extensions.setdefault(f"lantern_kept_{kind}", {})
    if len(kept) >= MAX_KEPT:
        kept.clear()
    return kept


def link(endpoint: str, **values: str) -> str:
    """Return url_for(endpoint, **values), built the first time it is asked for."""
    if not has_request_context():
        return url_for(endpoint, **values)  # mail and commands: not worth keeping
    kept = _kept("links")
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    address = kept.get(key)
    if address is None:
        address = kept[key] = url_for(endpoint, **values)
    return address


def fragment(template: str, key: tuple, **context) -> Markup:
    """Return the template rendered with `context`, rendered the first time `key` is asked for.

    `key` must name everything in `context` that the template's output depends on.
    """
    kept = _kept("fragments")
    full_key = (template, request.script_root, key)
    html = kept.get(full_key)
    if html is None:
        html = kept[full_key] = Markup(render_template(template, **context))
    return html
