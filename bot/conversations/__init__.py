"""Guided conversations, one module each (states, steps, factory) with a Mermaid diagram beside it."""
