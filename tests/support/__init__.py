"""Test support code: servers and helpers shared by several test packages."""
