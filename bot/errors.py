"""The one exception type whose message is shown to the user as is."""


class UserFacingError(Exception):
    """An expected failure whose message is a complete sentence for the user."""
