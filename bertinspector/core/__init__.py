"""The inspection engine: no Qt here; torch and transformers are imported lazily."""
