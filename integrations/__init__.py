"""Adapters to the outside world. Plain data in, plain data out; imports no app."""
