"""The front page, the language switch and the error pages."""
