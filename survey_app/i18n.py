"""Interface language: Vietnamese by default, English on request (Flask-Babel).

Message ids are the Vietnamese texts; ``translations/en/LC_MESSAGES/messages.po`` holds the
English ones. Compiled ``.mo`` files are build output (``make translations``); without them
every page is simply in Vietnamese. Dates are shown dd/mm/yyyy in every language.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale

from .extensions import babel
from .support.formatting import (
    count_text,
    date_text,
    datetime_text,
    number_text,
    percent_text,
    seconds_text,
)

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale() -> str:
    """``?lang=`` first, then the language cookie, then Vietnamese (also outside requests)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language code of the page being rendered ("vi" outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def other_languages() -> list[tuple[str, str, str]]:
    """(code, name, address of this page in it) for each language not in use."""
    current = current_language()
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    links = []
    for code in current_app.config["LANGUAGES"]:
        if code != current:
            query = urlencode([*args, ("lang", code)])
            links.append((code, LANGUAGE_NAMES.get(code, code), f"{quote(request.path)}?{query}"))
    return links


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(date_text=date_text, datetime_text=datetime_text,
                                 seconds_text=seconds_text, count_text=count_text,
                                 number_text=number_text, percent_text=percent_text)
    app.jinja_env.globals.update(current_language=current_language,
                                 other_languages=other_languages)

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and chosen != request.cookies.get(LANGUAGE_COOKIE):
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600,
                                samesite="Lax", secure=app.config["PRODUCTION"], httponly=True)
        return response
