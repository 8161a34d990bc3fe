"""Building blocks every app shares and that belong to no domain. Imports no app."""
