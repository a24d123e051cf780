"""Sources a clinician cannot sign: the one list of refused hosts, and the rule that matches them.

An entry with a dot names a domain and its subdomains (`rehabs.com` refuses `www.rehabs.com`);
an entry ending in `.*` names a site under any ending (`vdocuments.*`: .net, .mx, .site ...);
a bare word names a site under any ending and any subdomain (`scribd`: www.scribd.com, fr.scribd.com).
"""

from __future__ import annotations

from urllib.parse import urlsplit

REFUSED_SOURCE_HOSTS: dict[str, tuple[str, ...]] = {
    "a copy host, not the publisher's own page": (
        "scribd",
        "docslib",
        "studylib",
        "vdocuments.*",
        "coek.info",
        "blogspot",
        "slideshare",
        "coursehero",
        "issuu",
        "yumpu",
        "dokumen",
        "pdfcoffee",
        "psychologydo",
        "youarelinkedtoresources",
    ),
    "a commercial treatment provider or rehab marketing site": (
        "vannessrecoveryhouse",
        "interventionswithlove",
        "americanaddictioncenters",
        "rehabs.com",
        "recovery.org",
        "addictioncenter",
    ),
    "an insurer's or vendor's blog": ("mhn.com", "enlyte.com"),
    "the closed NREPP registry (closed in 2018)": ("nreppadmin.net",),
}


def _matches(host: str, entry: str) -> bool:
    labels = host.split(".")
    if entry.endswith(".*"):
        return entry[:-2] in labels[:-1]
    if "." in entry:
        return host == entry or host.endswith("." + entry)
    return entry in labels[:-1]


def refused_host_reason(url: str) -> str | None:
    """Return why a source URL's host is refused (copy host, treatment provider ...), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for reason, entries in REFUSED_SOURCE_HOSTS.items():
        for entry in entries:
            if _matches(host, entry):
                return f"{host} is {reason}: cite the publisher's own page for the same fact"
    return None
