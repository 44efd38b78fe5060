"""The audit log: recording who did what in the same transaction, and reading it back."""
