"""Interface language: Vietnamese by default, English on request (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, current_app, request

from .extensions import babel

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` first, then the language cookie, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and chosen != request.cookies.get(LANGUAGE_COOKIE):
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600,
                                samesite="Lax", secure=app.config["PRODUCTION"], httponly=True)
        return response
