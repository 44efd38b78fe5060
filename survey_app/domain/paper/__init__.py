"""Paper sheets as plain data: reading scanned or photographed sheets."""
