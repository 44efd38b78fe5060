"""Response headers that every page carries, and trusting the reverse proxy."""

from __future__ import annotations

import secrets

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix


def csp_nonce() -> str:
    """A per-response nonce for the page's own <style> block (no inline script anywhere)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response):
        style = f"'self' 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'none'; script-src 'self'; style-src {style}; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["PRODUCTION"]:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
