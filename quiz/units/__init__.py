"""The unit tree: listing, labels and scopes shared by every area."""
