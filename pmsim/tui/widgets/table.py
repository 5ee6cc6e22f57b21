"""`GameTable`: a light, read-only table with a row cursor, sized to fit its width.

Why not Textual's DataTable: every change there re-renders every visible cell through Rich
(its cell cache is keyed on a global update counter), which cost 30–100 ms per key press on the
roadmap. Here each row is rendered once when the rows are set, and drawing a line is a lookup,
so a key press redraws in a few milliseconds. Columns shrink to fit (a `flex` column gives up
width first) instead of scrolling sideways, which also keeps every column visible at 80×24.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

GAP = 2
MIN_FLEX = 8


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    justify: str = "left"  # "left" | "right"
    flex: bool = False  # may shrink (rightmost first, down to min_width) when the table is too narrow
    min_width: int = MIN_FLEX


class GameTable(Widget, can_focus=True):
    """Rows of cells (str or rich Text) under a header; ↑↓ pgup pgdn home end move, enter selects."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,ctrl+home", "jump(0)", "First row", show=False),
        Binding("end,ctrl+end", "jump(-1)", "Last row", show=False),
        Binding("enter", "select", "Select", show=False),
    ]
    COMPONENT_CLASSES = {"game-table--header", "game-table--cursor", "game-table--odd"}

    cursor_row: reactive[int] = reactive(0, init=False)

    @dataclass
    class RowHighlighted(Message):
        table: GameTable
        key: str

        @property
        def control(self) -> GameTable:
            return self.table

    @dataclass
    class RowSelected(Message):
        table: GameTable
        key: str

        @property
        def control(self) -> GameTable:
            return self.table

    @dataclass
    class HeaderSelected(Message):
        table: GameTable
        key: str

        @property
        def control(self) -> GameTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[Column] = []
        self.keys: list[str] = []
        self.rows: dict[str, list[Text]] = {}
        self._widths: list[int] = []
        self._lines: list[list[Segment]] = []
        self._header: list[Segment] = []
        self._top = 0
        self._laid_out_for = -1  # the width the columns were fitted to

    # ------------------------------------------------------------------ data
    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)

    def set_rows(self, rows: Sequence[tuple[str, Sequence[str | Text]]], keep: str | None = None) -> None:
        """Replace every row; the cursor stays on row `keep` (a key) when it is still there."""
        self.keys = [k for k, _ in rows]
        self.rows = {k: [c if isinstance(c, Text) else Text(str(c)) for c in cells] for k, cells in rows}
        self._layout()
        if keep in self.rows:
            self._set_cursor(self.keys.index(keep), post=True)
        else:
            self._set_cursor(min(self.cursor_row, max(len(self.keys) - 1, 0)), post=True)
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.keys)

    @property
    def current_key(self) -> str | None:
        return self.keys[self.cursor_row] if self.keys else None

    def index_of(self, key: str) -> int:
        return self.keys.index(key)

    def get_row(self, key: str) -> list[Text]:
        return self.rows[key]

    def move_to(self, key: str) -> None:
        self._set_cursor(self.keys.index(key), post=True)

    def column_x(self, key: str) -> int:
        """Where a column starts, in cells from the left of the content (for mouse tests)."""
        x = 1
        for col, w in zip(self.columns, self._widths, strict=True):
            if col.key == key:
                return x
            x += w + GAP
        raise KeyError(key)

    # ------------------------------------------------------------------ layout and drawing
    def _layout(self) -> None:
        cols = self.columns
        natural = [max([len(c.label)] + [self.rows[k][i].cell_len for k in self.keys]) for i, c in enumerate(cols)]
        self._laid_out_for = self.size.width
        avail = max(self.content_size.width or self.size.width or 80, 20) - 2  # a lead space, a scrollbar
        widths = list(natural)
        excess = sum(widths) + GAP * (len(widths) - 1) - avail
        for i in reversed(range(len(cols))):
            if excess <= 0:
                break
            if cols[i].flex:
                cut = min(excess, widths[i] - cols[i].min_width)
                if cut > 0:
                    widths[i] -= cut
                    excess -= cut
        self._widths = widths
        self._header = self._render_cells([Text(c.label) for c in cols], bold=True)
        self._lines = [self._render_cells(self.rows[k]) for k in self.keys]

    def _render_cells(self, cells: Sequence[Text], bold: bool = False) -> list[Segment]:
        line = Text(" ", no_wrap=True, end="")
        for i, (col, w, cell) in enumerate(zip(self.columns, self._widths, cells, strict=False)):
            t = cell.copy()
            t.truncate(w, overflow="ellipsis", pad=False)
            pad = " " * (w - t.cell_len)
            if col.justify == "right":
                line.append(pad)
                line.append_text(t)
            else:
                line.append_text(t)
                line.append(pad)
            if i < len(cells) - 1:
                line.append(" " * GAP)
        if bold:
            line.stylize("bold")
        return list(line.render(self.app.console))

    def on_resize(self, event: events.Resize) -> None:
        if self.columns:
            self._layout()
        self._scroll_to_cursor()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.keys) + 1

    @property
    def _page(self) -> int:
        return max(self.size.height - 1, 1)

    def render_line(self, y: int) -> Strip:
        """A line of the table; when the rows overflow, the last cell of each row line is a scrollbar
        (a thumb ┃ where the visible rows are, a thin track │ elsewhere)."""
        if self.columns and self.size.width and self._laid_out_for != self.size.width:
            self._layout()  # shown before its size was known (a hidden tab): fit the columns now
        strip = self._render_line(y)
        n, page = len(self.keys), self._page
        if y == 0 or n <= page:
            return strip
        width = self.size.width
        size = max(1, page * page // n)
        top = round(self._top / (n - page) * (page - size))
        thumb = top <= y - 1 < top + size
        bar = Segment("┃" if thumb else "│", self.rich_style + Style(dim=not thumb))
        return Strip([*strip.crop(0, width - 1), bar], width)

    def scrollbar_thumb(self) -> tuple[int, int] | None:
        """(first, last) visible row, or None when every row fits (tests read where the bar says we are)."""
        if len(self.keys) <= self._page:
            return None
        return self._top, min(self._top + self._page, len(self.keys)) - 1

    def _render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("game-table--header")
            return Strip(self._header).apply_style(style).extend_cell_length(width, style).crop(0, width)
        i = self._top + y - 1
        if i >= len(self._lines):
            return Strip.blank(width, base)
        segs = self._lines[i]
        if i == self.cursor_row and self.has_focus:
            post = self.get_component_rich_style("game-table--cursor")
            strip = Strip(Segment.apply_style(segs, base, post))
            return strip.extend_cell_length(width, base + post).crop(0, width)
        if i == self.cursor_row:
            post = Style(reverse=True)
            strip = Strip(Segment.apply_style(segs, base, post))
            return strip.extend_cell_length(width, base + post).crop(0, width)
        style = base + self.get_component_rich_style("game-table--odd") if i % 2 else base
        return Strip(Segment.apply_style(segs, style)).extend_cell_length(width, style).crop(0, width)

    # ------------------------------------------------------------------ cursor
    def _set_cursor(self, row: int, post: bool = False) -> None:
        if not self.keys:
            self.cursor_row = 0
            return
        row = min(max(row, 0), len(self.keys) - 1)
        changed = row != self.cursor_row
        self.cursor_row = row
        self._scroll_to_cursor()
        if changed or post:
            self.post_message(self.RowHighlighted(self, self.keys[row]))
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        page, was = self._page, self._top
        if self.cursor_row < self._top:
            self._top = self.cursor_row
        elif self.cursor_row >= self._top + page:
            self._top = self.cursor_row - page + 1
        self._top = max(min(self._top, max(len(self.keys) - page, 0)), 0)
        if self._top != was:
            # a resize that lets every row fit moves the top back to row 0: repaint, or the lines
            # drawn for the old top stay (a grown table showed its second row first, the first gone)
            self.refresh()

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self._set_cursor(self.cursor_row + step * self._page)

    def action_jump(self, where: int) -> None:
        self._set_cursor(0 if where == 0 else len(self.keys) - 1)

    def action_select(self) -> None:
        if self.keys:
            self.post_message(self.RowSelected(self, self.keys[self.cursor_row]))

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            for col, w in zip(self.columns, self._widths, strict=True):
                x = self.column_x(col.key)
                if x - 1 <= offset.x < x + w + 1:
                    self.post_message(self.HeaderSelected(self, col.key))
                    return
            return
        row = self._top + offset.y - 1
        if 0 <= row < len(self.keys):
            if row == self.cursor_row:
                self.action_select()
            else:
                self._set_cursor(row)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._top = min(self._top + 1, max(len(self.keys) - self._page, 0))
        self.refresh()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._top = max(self._top - 1, 0)
        self.refresh()

