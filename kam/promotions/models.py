"""promotions models (issue 10)."""
