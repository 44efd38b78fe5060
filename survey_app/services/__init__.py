"""Services: what views and commands call. Each module does one job."""
