"""Screenings: venues book films under licences; calendars, screening kits, reports and impact."""
