"""Small helpers every domain uses: local dates, text cleaning, QR codes, PDF fonts."""
