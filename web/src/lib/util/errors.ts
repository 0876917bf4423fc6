import { ApiError } from '$lib/api/client';
import { t } from '$lib/i18n/index.svelte';

/** A sentence for the user from any failure: translated for the cases the app knows, else the server's message. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('errors.network');
    if (e.status === 429) return e.retryAfter !== null ? t('errors.rateLimitedWait', { seconds: e.retryAfter }) : t('errors.rateLimited');
    if (e.status >= 500) return t('errors.server');
    return e.message;
  }
  if (e instanceof Error && e.name === 'AbortError') return t('errors.cancelled');
  return t('errors.unknown');
}
