"""Paper sheets: batches and serials, the printed PDF, typed entry, double entry, and reading
scanned or photographed sheets by machine (``reading``, pure).
"""
