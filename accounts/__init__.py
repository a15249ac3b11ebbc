"""The people: the e-mail-login User, sign-up and their own details. The lowest layer:
imports none of the other apps."""
