"""The colour themes `t` cycles through, including a high-contrast one (no information is carried
by colour alone anywhere: see fmt.py)."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="pmsim-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF80FF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
    boost="#303030",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF6060",
    dark=True,
    variables={"block-cursor-background": "#FFFF00", "block-cursor-foreground": "#000000",
               "footer-key-foreground": "#FFFF00", "border": "#FFFFFF"},
)
THEMES = ["textual-dark", "textual-light", "pmsim-high-contrast"]
