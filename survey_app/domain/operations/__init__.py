"""Running the platform: the demo data and consistent backups."""
