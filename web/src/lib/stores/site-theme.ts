// The instance theme an administrator enabled: its stylesheet is added after the app's own, so that its
// custom properties win. Safe mode skips it (?safe=1, the original's ?theme=default, or localStorage
// soundtime_theme_safe=1), so that a broken theme can always be turned off from a working page.
const LINK_ID = 'soundtime-theme';
const SAFE_KEY = 'soundtime_theme_safe';

export function themeSafeMode(url: URL, storage: Pick<Storage, 'getItem'> | null): boolean {
  if (url.searchParams.get('safe') === '1' || url.searchParams.get('theme') === 'default') return true;
  try {
    return storage?.getItem(SAFE_KEY) === '1';
  } catch {
    return false;
  }
}

export function removeSiteTheme(doc: Document = document) {
  doc.getElementById(LINK_ID)?.remove();
}

/** Asks the server for the active theme and links (or unlinks) its stylesheet. Never throws. */
export async function applySiteTheme(doc: Document = document, fetcher: typeof fetch = fetch): Promise<'safe' | 'none' | 'applied'> {
  if (themeSafeMode(new URL(doc.location.href), typeof localStorage === 'undefined' ? null : localStorage)) {
    removeSiteTheme(doc);
    return 'safe';
  }
  try {
    const r = await fetcher('/api/themes/active', { headers: { Accept: 'application/json' } });
    if (r.status !== 200) {
      removeSiteTheme(doc);
      return 'none';
    }
    const active = (await r.json()) as { css_url?: string };
    const href = `${active.css_url || '/api/themes/active.css'}?v=${Date.now()}`;
    let link = doc.getElementById(LINK_ID) as HTMLLinkElement | null;
    if (!link) {
      link = doc.createElement('link');
      link.id = LINK_ID;
      link.rel = 'stylesheet';
    }
    link.href = href;
    doc.head.append(link); // last in <head>: after the app's stylesheet
    return 'applied';
  } catch {
    return 'none';
  }
}
