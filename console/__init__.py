"""Voitex Console: a desktop operator console for the Voitex telephony API."""

__version__ = "0.1.0"
