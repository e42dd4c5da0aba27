"""Accounts: users, roles, sign-in, API tokens."""
