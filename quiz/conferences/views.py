"""Public conference pages: check-in by attendees and by staff devices."""
