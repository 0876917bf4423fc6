// Which rows of a windowed list are on screen, and which pages of the API hold them.

/** Rows [start, end) of a list. */
export interface RowSpan {
  start: number;
  end: number;
}

/**
 * The rows that meet the viewport, widened by `extra` rows on each side. top: the viewport's top in list
 * coordinates (negative while the list starts below it); pitch: the distance from one row to the next.
 */
export function rowsInView(top: number, viewport: number, pitch: number, rows: number, extra: number): RowSpan {
  if (rows <= 0 || pitch <= 0 || viewport <= 0) return { start: 0, end: 0 };
  const first = Math.floor(top / pitch);
  const after = Math.ceil((top + viewport) / pitch);
  const start = Math.min(rows, Math.max(0, first - extra));
  const end = Math.max(start, Math.min(rows, after + extra));
  return { start, end };
}

/** The API pages (numbered from 1) that hold items [start, end), in ascending order. */
export function pagesFor(start: number, end: number, perPage: number): number[] {
  if (end <= start || perPage <= 0) return [];
  const first = Math.floor(start / perPage) + 1;
  const last = Math.floor((end - 1) / perPage) + 1;
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/** How many cards of at least `minWidth` px, `gap` px apart, fit in `width` px (never fewer than `min`). */
export function columnsFor(width: number, minWidth: number, gap: number, min = 1, max = 12): number {
  if (width <= 0 || minWidth <= 0) return min;
  const fit = Math.floor((width + gap) / (minWidth + gap));
  return Math.min(max, Math.max(min, fit));
}
