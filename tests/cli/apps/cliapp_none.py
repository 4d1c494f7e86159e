"""A module with no App in it."""

VALUE = 42
