"""Page pieces built once per process: addresses and fragments that read the same for everyone.

Every page links to the same few addresses, and url_for costs each time: templates write
`{{ 'public.about'|link }}` or `{{ 'learn.module'|link(module_slug=module.slug) }}` for an
address that depends only on the endpoint and its values (never a relative '.endpoint').

A fragment is a small template whose output depends only on the key it is kept under, never
on the person, the CSRF token or the time: a module's card on the learner home depends on the
module, its status and the best score, so thousands of learners share a few dozen cards.

Each app keeps its own pieces (its course is fixed while it serves), and a request served under
another prefix (SCRIPT_NAME) gets its own, so a kept piece is always what rendering would give.
The template filters read the request and the app from the template's own context, not through
Flask's context-local proxies: a page asks for dozens of pieces.
"""

from __future__ import annotations

from flask import Flask, render_template, url_for
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# The keys are content slugs and statuses, so the pieces are few; the limit only keeps memory bounded.
MAX_KEPT = 4096


def _kept(environment: Environment, kind: str) -> dict:
    # Each app's pieces live on its template environment (one per app, gone with it).
    kinds = environment.__dict__.get("lantern_kept")
    if kinds is None:
        kinds = environment.__dict__["lantern_kept"] = {"links": {}, "fragments": {}}
    kept = kinds[kind]
    if len(kept) >= MAX_KEPT:
        kept.clear()
    return kept


@pass_context
def link(context: Context, endpoint: str, **values: str) -> str:
    """The `link` template filter: url_for(endpoint, **values), built the first time it is asked for."""
    request = context.get("request")
    if request is None:
        return url_for(endpoint, **values)  # mail: no request, and not worth keeping
    kept = _kept(context.environment, "links")
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    address = kept.get(key)
    if address is None:
        address = kept[key] = url_for(endpoint, **values)
    return address


def fragment(context: Context, template: str, key: tuple, **values) -> Markup:
    """Return the template rendered with `values`, rendered the first time `key` is asked for.

    `key` must name everything in `values` that the template's output depends on. `context` is
    the calling template's (a filter's), where the app and the request's prefix are found.
    """
    kept = _kept(context.environment, "fragments")
    full_key = (template, context["request"].script_root, key)
    html = kept.get(full_key)
    if html is None:
        html = kept[full_key] = Markup(render_template(template, **values))
    return html


def macro_calls(context: Context, template: str, name: str, calls: list[tuple[tuple, tuple]]) -> Markup:
    """Return the outputs of macro `name` of `template`, one for each (key, arguments) in `calls`, joined.

    Each is made by calling the macro the first time its key is asked for: a key must name
    everything in its arguments that the macro's output depends on. The macro sees no request:
    it is called from the template's own module, as an import would call it.
    """
    kept = _kept(context.environment, "fragments")
    outputs = []
    for key, args in calls:
        full_key = (template, name, key)
        html = kept.get(full_key)
        if html is None:
            module = context.environment.get_template(template).module
            html = kept[full_key] = str(getattr(module, name)(*args))
        outputs.append(html)
    return Markup("".join(outputs))


def install(app: Flask) -> None:
    app.add_template_filter(link, "link")
