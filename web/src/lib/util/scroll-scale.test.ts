import { describe, expect, it } from 'vitest';
import { MAX_LIST_HEIGHT, ScrollScale } from './scroll-scale';

const VIEW = 800;
const MILLION = 1_000_000 * 57;
const BOTTOM = MAX_LIST_HEIGHT - VIEW; // the largest real position of a capped list's top

/** Scrolls by `step` px at a time until `done`, applying corrections the way the page does. */
function wheel(s: ScrollScale, from: number, step: number, done: (top: number) => boolean, settleEvery = 0) {
  let real = from;
  let top = s.scroll(real).top;
  let corrections = 0;
  let lowest = real;
  let highest = real;
  for (let i = 1; i < 200_000 && !done(top); i++) {
    real = Math.min(BOTTOM, Math.max(0, real + step));
    const place = s.scroll(real);
    top = place.top;
    if (place.correction) corrections++;
    real += place.correction;
    if (settleEvery && i % settleEvery === 0) real += s.settle(real);
    lowest = Math.min(lowest, real);
    highest = Math.max(highest, real);
  }
  expect(lowest).toBeGreaterThanOrEqual(0);
  expect(highest).toBeLessThanOrEqual(BOTTOM);
  return { real, top, corrections };
}

describe('ScrollScale', () => {
  it('is the identity for a list that fits', () => {
    const s = new ScrollScale();
    s.setSize(5000 * 57, VIEW);
    expect(s.height).toBe(5000 * 57);
    for (const real of [-120, 0, 3000, 100_000, 284_200]) expect(s.scroll(real)).toEqual({ top: real, correction: 0 });
    expect(s.settle(100_000)).toBe(0);
    expect(s.offset).toBe(0);
  });

  it('caps the element height and maps jumps so that the scrollbar ends are the list ends', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    expect(s.height).toBe(MAX_LIST_HEIGHT);
    expect(s.scroll(BOTTOM).top).toBe(MILLION - VIEW); // the last rows
    expect(s.scroll(0).top).toBe(0);
    expect(s.scroll(BOTTOM / 2).top).toBeCloseTo((MILLION - VIEW) / 2, 3);
    expect(s.scroll(BOTTOM / 4).top / (MILLION - VIEW)).toBeCloseTo(0.25, 2);
    // Past the element (the page's bottom padding) the last rows stay in view.
    s.scroll(BOTTOM);
    expect(s.scroll(BOTTOM + 100).top).toBe(MILLION - VIEW + 100);
    // Above it (the page title on screen) the list starts with its first row.
    s.scroll(0);
    expect(s.scroll(-200).top).toBe(-200);
  });

  it('moves the content one to one on small moves, then settles the scrollbar without moving the content', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    let real = 2_000_000;
    const start = s.scroll(real).top;
    for (let i = 1; i <= 30; i++) {
      real += 100;
      const place = s.scroll(real);
      expect(place.correction).toBe(0);
      expect(place.top).toBeCloseTo(start + i * 100, 6);
    }
    const fix = s.settle(real);
    expect(fix).toBeLessThan(0); // the scrollbar ran ahead of the content: it comes back
    real += fix;
    expect(s.scroll(real)).toEqual({ top: expect.closeTo(start + 3000, 6), correction: 0 });
    expect(s.settle(real)).toBe(0);
    // Back in its place: the same position as a jump there shows the same rows.
    const again = new ScrollScale();
    again.setSize(MILLION, VIEW);
    expect(again.scroll(real).top).toBeCloseTo(start + 3000, 3);
  });

  it('leaves a jump it has not seen yet to scroll(), not carrying the page back to where it was', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    const dragged = s.scroll(3_600_000).top; // a scrollbar dragged far down: a large offset
    expect(dragged).toBeGreaterThan(3_600_000 + 100_000);
    // Home pressed as the pause timer fires: the page is at 0, its scroll event not handled yet.
    expect(s.settle(0)).toBe(0);
    expect(s.scroll(0)).toEqual({ top: 0, correction: 0 });
    expect(s.settle(0)).toBe(0);
  });

  it('corrects the scrollbar while scrolling once it drifts a few screens, never moving the content', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    let real = 1_000_000;
    let top = s.scroll(real).top;
    let corrections = 0;
    for (let i = 0; i < 2000; i++) {
      real += 40;
      const place = s.scroll(real);
      expect(place.top).toBeCloseTo(top + 40, 6);
      top = place.top;
      if (place.correction) corrections++;
      real += place.correction;
    }
    // 80,000 px of content: a correction each time the drift passes 6 screens, not on every event.
    expect(corrections).toBeGreaterThan(5);
    expect(corrections).toBeLessThan(40);
  });

  it('reaches the first and the last row by small moves alone', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    const up = wheel(s, 100_000, -400, (top) => top <= 0);
    expect(up.top).toBe(0);
    expect(up.real).toBe(0);
    const down = wheel(s, BOTTOM - 100_000, 400, (top) => top >= MILLION - VIEW);
    expect(down.top).toBe(MILLION - VIEW);
    expect(down.real).toBe(BOTTOM);
    // With pauses on the way too.
    const paused = wheel(s, 80_000, -400, (top) => top <= 0, 7);
    expect(paused).toMatchObject({ top: 0, real: 0 });
  });

  it('keeps the content where it is when the window or the list changes height', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    s.scroll(1_000_000);
    const top = s.scroll(1_000_100).top; // a small move after a jump
    s.setSize(MILLION, VIEW - 100); // the phone's address bar comes back
    expect(s.scroll(1_000_100)).toEqual({ top, correction: 0 });
    s.setSize(MILLION + 57, VIEW - 100); // one track more
    expect(s.scroll(1_000_120).top).toBeCloseTo(top + 20, 6);
    // A list that shrinks below the cap draws its rows where they are.
    s.setSize(3_000_000, VIEW);
    expect(s.offset).toBe(0);
    expect(s.scroll(1_000_120).top).toBe(1_000_120);
  });
});

describe('ScrollScale.realFor', () => {
  it('gives the scroll position that shows a list position, consistent with a later look there', () => {
    const s = new ScrollScale();
    s.setSize(MILLION, VIEW);
    for (const top of [0, 5000, 12_345_678, MILLION / 2, MILLION - VIEW]) {
      const real = s.realFor(top);
      expect(real).toBeGreaterThanOrEqual(0);
      expect(real).toBeLessThanOrEqual(BOTTOM);
      expect(s.scroll(real)).toEqual({ top: expect.closeTo(top, 3), correction: 0 });
      // A jump there (the page reloaded at that position) shows the same place.
      const fresh = new ScrollScale();
      fresh.setSize(MILLION, VIEW);
      expect(fresh.scroll(real).top).toBeCloseTo(top, 3);
    }
    const small = new ScrollScale();
    small.setSize(10_000, VIEW);
    expect(small.realFor(4321)).toBe(4321);
  });
});
