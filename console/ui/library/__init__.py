"""The Library: what this console put in each account's library, offered by name."""
