// Maps the page's scroll position onto a list taller than a browser lays out. A million tracks of 57 px
// need 57 million px; Chromium stops at about 33.5 million, Firefox at about 17.9 million. The list element
// is given at most MAX_LIST_HEIGHT and its rows are drawn shifted by `offset` (list position = real + offset).
// - A jump (the scrollbar dragged, End, the first look) places the content where the scrollbar says: the
//   scrollbar's ends are the list's ends, its middle is the list's middle.
// - Small moves (wheel, arrows, Page Down, focus moving to the next row) move the content one to one, so
//   reading and keyboard navigation feel normal. The scrollbar then drifts from where it should be; once the
//   drift passes a few screens, or when scrolling pauses (settle()), the page is scrolled back to the right
//   place and the offset changes so that the content does not move.
// - Near both ends the map is one to one (offset 0 at the top, all the excess at the bottom), so small moves
//   reach the first and the last row exactly.
// Lists that fit keep offset 0 and every call is the identity.

/** Well under every browser's tallest element. */
export const MAX_LIST_HEIGHT = 4_000_000;

export interface ScrollPlace {
  /** The viewport's top in list coordinates. */
  top: number;
  /** How far to scroll the page now (0: nothing to do); the content stays where it is. */
  correction: number;
}

export class ScrollScale {
  /** The list's full height, px. */
  natural = 0;
  /** The height given to the element, px (at most the cap). */
  height = 0;
  /** Where the content is drawn: list position = real + offset. */
  offset = 0;
  private viewport = 0;
  private last: number | null = null;

  constructor(readonly cap = MAX_LIST_HEIGHT) {}

  /**
   * Sets the geometry. The content stays where it is (a window growing taller, a few rows more or less);
   * a list laid out anew places its rows with realFor().
   */
  setSize(natural: number, viewport: number): void {
    if (natural === this.natural && viewport === this.viewport) return;
    this.natural = Math.max(0, natural);
    this.height = Math.min(this.natural, this.cap);
    this.viewport = viewport;
    this.offset = Math.min(Math.max(0, this.offset), Math.max(0, this.excess));
  }

  /** How much taller the list is than its element. */
  get excess(): number {
    return this.natural - this.height;
  }

  /**
   * real: how far the page is scrolled past the element's top (negative while the element starts below the
   * viewport's top).
   */
  scroll(real: number): ScrollPlace {
    if (this.excess <= 0) {
      this.last = real;
      return { top: real, correction: 0 };
    }
    const range = this.realRange;
    if (this.last === null || Math.abs(real - this.last) > this.viewport) {
      const r = Math.min(range, Math.max(0, real));
      this.offset = this.place(r) - r;
      this.last = real;
      return { top: real + this.offset, correction: 0 };
    }
    const top = real + this.offset;
    const anchored = this.anchor(top);
    const stuck = (real <= 0 && this.offset > 0) || (real >= range && this.offset < this.excess);
    if (Math.abs(anchored - real) > this.tolerance || (stuck && Math.abs(anchored - real) >= 0.5)) {
      return { top, correction: this.moveTo(top, anchored) };
    }
    this.last = real;
    return { top, correction: 0 };
  }

  /**
   * Scrolling paused at `real`: returns how far to scroll so the scrollbar sits where the content shown is.
   * A position scroll() has not seen yet (the page jumped, its scroll event still to come) is left alone:
   * settling it with the old offset would carry the page back to the content shown before the jump.
   */
  settle(real: number): number {
    if (this.excess <= 0 || this.last === null || Math.abs(real - this.last) >= 0.5) return 0;
    const top = real + this.offset;
    const anchored = this.anchor(top);
    if (Math.abs(anchored - real) < 0.5) return 0;
    return this.moveTo(top, anchored);
  }

  /**
   * Where to scroll (real position) to show list position `top` at the viewport's top, e.g. to keep the
   * same item in view after the rows changed size; the offset is set for it.
   */
  realFor(top: number): number {
    const real = this.excess > 0 ? this.anchor(top) : top;
    this.offset = top - real;
    this.last = real;
    return real;
  }

  private moveTo(top: number, anchored: number): number {
    const from = top - this.offset;
    this.offset = top - anchored;
    this.last = anchored;
    return anchored - from;
  }

  /** Real positions this close to an end map one to one. */
  private get zone(): number {
    return Math.min(20 * this.viewport, this.realRange / 4);
  }

  /** Drift of the scrollbar (px) tolerated while scrolling. */
  private get tolerance(): number {
    return 6 * this.viewport;
  }

  private get realRange(): number {
    return Math.max(0, this.height - this.viewport);
  }

  /** Slope of the map between the end zones. */
  private get slope(): number {
    const z = this.zone;
    return (this.natural - this.viewport - 2 * z) / (this.realRange - 2 * z);
  }

  /** The list position shown at real position r (0 ≤ r ≤ realRange). */
  private place(r: number): number {
    const z = this.zone;
    if (r <= z) return r;
    if (r >= this.realRange - z) return r + this.excess;
    return z + (r - z) * this.slope;
  }

  /** The real position at which list position `top` is in its place (inverse of place()). */
  private anchor(top: number): number {
    const z = this.zone;
    if (top <= z) return top;
    if (top >= this.natural - this.viewport - z) return top - this.excess;
    return z + (top - z) / this.slope;
  }
}
