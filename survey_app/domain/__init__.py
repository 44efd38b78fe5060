"""Domain logic of the platform that needs neither the web application nor the database."""
