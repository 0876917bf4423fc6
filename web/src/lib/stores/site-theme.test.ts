import { describe, expect, it } from 'vitest';
import { themeSafeMode } from './site-theme';

const store = (v: string | null) => ({ getItem: () => v });

describe('theme safe mode', () => {
  it('is on with ?safe=1, ?theme=default or the localStorage flag', () => {
    expect(themeSafeMode(new URL('http://x/?safe=1'), store(null))).toBe(true);
    expect(themeSafeMode(new URL('http://x/albums?theme=default'), store(null))).toBe(true);
    expect(themeSafeMode(new URL('http://x/'), store('1'))).toBe(true);
  });
  it('is off otherwise', () => {
    expect(themeSafeMode(new URL('http://x/?safe=0'), store('0'))).toBe(false);
    expect(themeSafeMode(new URL('http://x/?theme=dark'), null)).toBe(false);
  });
});
