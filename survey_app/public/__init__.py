"""Public pages: the home page and (later) the citizen survey reached by QR code."""
