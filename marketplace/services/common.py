class SignupRefused(Exception):
    """A sign-up the rules do not allow; the message is written for the volunteer."""


class NotAllowed(Exception):
    """The person may not do this to this object; the message says why."""
