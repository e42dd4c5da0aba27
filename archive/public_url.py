"""The archive's public address: every absolute URL is built from it, never from a request's Host header.

With ``ARCHIVE_PUBLIC_URL`` set (production), links in API answers, calendar feeds, e-mails and kits
use that address, inside a request or outside one (jobs, commands), and a request naming a host not
in ``ARCHIVE_TRUSTED_HOSTS`` (by default the public address's own host) is refused with 400. Without
it (development), URLs follow the request as Flask's do.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import MapAdapter


def parse_public_url(raw: str) -> str:
    """Accept ``https://host[:port][/path]``; the setting's parser."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("expected the address people use, such as https://archive.example.org")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def parse_hosts(raw: str) -> list[str]:
    """A comma-separated list of host names (``.example.org`` also allows its subdomains)."""
    hosts = [host.strip().lower() for host in raw.split(",") if host.strip()]
    if not hosts:
        raise ValueError("expected host names separated by commas, such as archive.example.org,10.0.0.5")
    return hosts


class HostNotServed(BadRequest):
    """A request for a host this archive does not answer at.

    Made while the request is being set up, before its language is known; the message is written
    when the error page asks for it, in the reader's language.
    """

    def __init__(self, public: str | None) -> None:
        super().__init__()
        self.public = public

    @property
    def description(self) -> str:  # type: ignore[override]
        if self.public:
            return _("This address is not served here. This archive answers at %(address)s; open that address.",
                     address=self.public)
        return _("This address is not served here.")

    @description.setter
    def description(self, value: str) -> None:  # werkzeug sets it in __init__; the property writes it
        pass


class ArchiveFlask(Flask):
    """Flask, with URLs built from the public address and untrusted hosts refused on a working page."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """The URL adapter, pointed at the public address when one is configured."""
        try:
            adapter = super().create_url_adapter(request)
        except SecurityError:
            # Refuse the request, but keep an adapter so the refusal page can still build its links.
            adapter = self.url_map.bind_to_environ(
                request.environ, server_name=self.config["SERVER_NAME"], subdomain=self.url_map.default_subdomain or ""
            )
            request.routing_exception = HostNotServed(self.config.get("PUBLIC_URL"))
        public = self.config.get("PUBLIC_URL")
        if adapter is not None and request is not None and public:
            parts = urlsplit(public)
            adapter.url_scheme = parts.scheme
            adapter.server_name = parts.netloc
            if parts.path:
                adapter.script_name = parts.path.rstrip("/") + "/"
        return adapter


def configure(app: Flask, settings: dict) -> None:
    """Derive Flask's own settings from ``PUBLIC_URL``, ``TRUSTED_HOSTS`` and ``PROXY_COUNT``."""
    public = settings.get("PUBLIC_URL")
    if public:
        parts = urlsplit(public)
        # Outside a request (jobs, commands) url_for builds from these.
        app.config.update(SERVER_NAME=parts.netloc, PREFERRED_URL_SCHEME=parts.scheme,
                          APPLICATION_ROOT=parts.path or "/")
        if settings.get("TRUSTED_HOSTS") is None:
            app.config["TRUSTED_HOSTS"] = [parts.hostname]
    if settings.get("PROXY_COUNT"):
        count = settings["PROXY_COUNT"]
        # Behind that many proxies, the client's address and scheme come from their X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
