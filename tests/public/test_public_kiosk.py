"""Kiosk mode's pages: the tablet's larger type, the language link only when the counter
enables it, the countdown back to a blank form (with and without JavaScript), and the next
person starting in Vietnamese. The browser side is tests/browser/test_citizen_kiosk.py."""

from __future__ import annotations

import re

from survey_app.extensions import db
from tests.public.public_support import full_answers


def test_kiosk_pages_use_the_tablet_layout_without_the_language_link(client, place, serve):
    phone = client.get(place.url).get_data(as_text=True)
    assert '<html lang="vi">' in phone and 'hreflang="en"' in phone
    form = serve(f"{place.url}?kiosk=1")
    assert '<html lang="vi" class="kiosk">' in form.html and "hreflang" not in form.html
    assert ".kiosk{font-size:125%}" in form.html
    sent = client.post(f"{place.url}?kiosk=1", data={**form.hidden, **full_answers()})
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'class="kiosk"' in thanks and "hreflang" not in thanks
    refused = client.post(f"{place.url}?kiosk=1",
                          data={**serve(f"{place.url}?kiosk=1").hidden, **full_answers("3")})
    assert refused.status_code == 429  # the repeat-press guard, on the tablet's layout too
    assert 'class="kiosk"' in refused.get_data(as_text=True)


def test_a_counter_may_show_the_language_link_on_its_kiosk(client, place):
    place.counter.kiosk_language = True
    db.session.commit()
    kiosk = client.get(f"{place.url}?kiosk=1").get_data(as_text=True)
    assert 'class="kiosk"' in kiosk
    assert f'<a href="/s/{place.counter.token}?kiosk=1&amp;lang=en" lang="en" hreflang="en">' \
        in kiosk


def test_the_thank_you_page_counts_down_and_refreshes_without_javascript(client, place, serve):
    form = serve(f"{place.url}?kiosk=1")
    sent = client.post(f"{place.url}?kiosk=1", data={**form.hidden, **full_answers()})
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    blank = f"/s/{place.counter.token}?kiosk=1&amp;lang=vi"
    assert f'<noscript><meta http-equiv="refresh" content="8;url={blank}"></noscript>' in html
    assert re.search(r'<p id="countdown" class="muted">[^<]*<b id="seconds">8</b> giây\.</p>',
                     html)
    assert f'<a class="btn" id="next" href="{blank}" data-seconds="8">' in html
    phone = client.get(f"/s/{place.counter.token}/cam-on").get_data(as_text=True)
    assert "refresh" not in phone and "countdown" not in phone


def test_the_next_person_starts_in_vietnamese(client, place, serve):
    place.counter.kiosk_language = True
    db.session.commit()
    form = serve(f"{place.url}?kiosk=1&lang=en")
    assert '<html lang="en" class="kiosk">' in form.html
    sent = client.post(f"{place.url}?kiosk=1", data={**form.hidden, **full_answers()})
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Thank you!" in thanks and "in <b id=\"seconds\">8</b> seconds" in thanks
    next_form = client.get(f"{place.url}?kiosk=1&lang=vi").get_data(as_text=True)
    assert '<html lang="vi" class="kiosk">' in next_form
    # The choice is forgotten: the following page stays Vietnamese without asking again.
    assert '<html lang="vi"' in client.get(f"{place.url}?kiosk=1").get_data(as_text=True)
