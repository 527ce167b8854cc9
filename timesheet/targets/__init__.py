"""Weekly targets per user and client (the Targets database), and budget burn-down."""
