"""Results: counting in the database, the analysis, the results document, approval, exports."""
