"""The English catalogue covers the whole interface; pages follow the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import survey_app

PACKAGE = Path(survey_app.__file__).parent
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}


def interface_texts() -> set[str]:
    """Every text marked for translation in the package, as ``pybabel extract`` finds them."""
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(PACKAGE), METHODS, keywords=KEYWORDS)}


def test_every_interface_text_has_an_english_translation():
    with CATALOGUE.open("rb") as po_file:
        catalog = read_po(po_file)
    translated = {message.id: message for message in catalog if message.id}
    texts = interface_texts()
    assert len(texts) > 50
    missing = sorted(text for text in texts if text not in translated
                     or not translated[text].string or translated[text].fuzzy)
    assert missing == []
    for text in texts:  # the placeholders survive translation
        for name in ("%(unit)s", "%(required)d", "%(n)d", "%(serial)s", "%(counter)s"):
            assert (name in text) == (name in translated[text].string), text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_error_pages_follow_the_chosen_language(client, lang):
    page = client.get(f"/s/khong-co?lang={lang}")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and f'<html lang="{lang}">' in html
    assert ("Page not found" if lang == "en" else "Không tìm thấy trang") in html

