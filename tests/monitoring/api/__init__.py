"""The monitoring API, role by role and scope by scope: 401 without credentials, 403 for a role
or token scope that may not, 404 for what does not exist (also another council's), 400
naming the bad field, and the happy paths for commissioning (with market position and its
reasons: 001 3.1, 003 1.8) and the intelligence log (never deleted, only corrected)."""
