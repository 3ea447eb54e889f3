"""HTTP interfaces: the editors' web UI and the public read API (both call `storage`)."""
