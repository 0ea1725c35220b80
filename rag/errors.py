"""Errors a user can act on. The CLI prints them as one `Error: …` line."""


class RagError(Exception):
    """Base class: a problem with input, configuration or setup, not a bug."""


class UserInputError(RagError):
    """The user asked for something that cannot be done (unknown id, bad flag value)."""


class SetupError(RagError):
    """A required file, model or service is missing or fails its check."""


class ConfigError(RagError):
    """An environment variable or config value is malformed."""


class ModelError(RagError):
    """The language model failed to answer: a server error, rate limit, bad reply or deadline."""


class IndexUnavailableError(RagError):
    """The vector index (Chroma) cannot be reached or keeps failing; nothing was half-done silently."""
