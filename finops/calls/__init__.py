"""Reading stored LLM calls back: the API and CLI a user checks their instrumentation with."""
