"""Rules over PyFlink job code (read with ast, never imported)."""
