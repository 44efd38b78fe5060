"""Staff accounts: creating and changing them, passwords, signing in and its throttling."""
