"""CSV cells that a spreadsheet will not run as formulas."""


def spreadsheet_cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab or return) as a formula;
    a leading apostrophe makes it plain text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
