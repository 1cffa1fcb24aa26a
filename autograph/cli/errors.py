"""The one error type of the command line."""


class CommandError(Exception):
    """A problem with the user's input: printed to stderr as `autograph: ...`, exit code 2."""
