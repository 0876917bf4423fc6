import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/client';
import { errorText } from './errors';

describe('errorText', () => {
  it('says how long to wait after a rate limit', () => {
    expect(errorText(new ApiError(429, 'Too Many Requests', 7))).toBe('Too many attempts. Try again in 7 s.');
    expect(errorText(new ApiError(429, 'Too Many Requests'))).toBe('Too many attempts. Please wait a moment and try again.');
  });

  it('hides server internals and keeps meaningful messages', () => {
    expect(errorText(new ApiError(500, 'Server error (500)'))).toBe('The server had a problem. Please try again later.');
    expect(errorText(new ApiError(0, 'x'))).toMatch(/cannot be reached/);
    expect(errorText(new ApiError(403, 'Your account has been banned. Reason: spam'))).toBe('Your account has been banned. Reason: spam');
    expect(errorText(new TypeError('undefined is not a function'))).toBe('Something went wrong.');
    expect(errorText(undefined)).toBe('Something went wrong.');
  });
});
