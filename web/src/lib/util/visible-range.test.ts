import { describe, expect, it } from 'vitest';
import { columnsFor, pagesFor, rowsInView } from './visible-range';

describe('rowsInView', () => {
  it('covers the rows that meet the viewport, widened by the overscan and clamped to the list', () => {
    // Rows of 50 px, viewport 200 px from 1000: rows 20..23 meet it (row 24 starts at 1200).
    expect(rowsInView(1000, 200, 50, 1000, 0)).toEqual({ start: 20, end: 24 });
    expect(rowsInView(1010, 200, 50, 1000, 0)).toEqual({ start: 20, end: 25 });
    expect(rowsInView(1000, 200, 50, 1000, 3)).toEqual({ start: 17, end: 27 });
    expect(rowsInView(0, 200, 50, 1000, 3)).toEqual({ start: 0, end: 7 });
    expect(rowsInView(49_900, 200, 50, 1000, 3)).toEqual({ start: 995, end: 1000 });
  });

  it('shows the first rows while the list starts below the viewport top, none once it is far above or below', () => {
    expect(rowsInView(-150, 200, 50, 1000, 0)).toEqual({ start: 0, end: 1 });
    expect(rowsInView(-500, 200, 50, 1000, 0)).toEqual({ start: 0, end: 0 });
    expect(rowsInView(60_000, 200, 50, 1000, 2)).toEqual({ start: 1000, end: 1000 });
    expect(rowsInView(0, 200, 50, 0, 2)).toEqual({ start: 0, end: 0 });
  });
});

describe('pagesFor', () => {
  it('maps an item range onto the pages that hold it', () => {
    expect(pagesFor(0, 10, 50)).toEqual([1]);
    expect(pagesFor(45, 55, 50)).toEqual([1, 2]);
    expect(pagesFor(50, 100, 50)).toEqual([2]);
    expect(pagesFor(99, 151, 50)).toEqual([2, 3, 4]);
    // Deep in a million tracks: only the pages there.
    expect(pagesFor(499_990, 500_020, 50)).toEqual([10_000, 10_001]);
    expect(pagesFor(10, 10, 50)).toEqual([]);
  });
});

describe('columnsFor', () => {
  it('fits as many cards as the width allows, within bounds', () => {
    expect(columnsFor(1000, 160, 16)).toBe(5); // 5 × 160 + 4 × 16 = 864 ≤ 1000 < 1040
    expect(columnsFor(1040, 160, 16)).toBe(6);
    expect(columnsFor(358, 160, 16, 2)).toBe(2);
    expect(columnsFor(100, 160, 16, 2)).toBe(2);
    expect(columnsFor(5000, 160, 16, 2, 8)).toBe(8);
    expect(columnsFor(0, 160, 16, 2)).toBe(2);
  });
});
