// Light, dark, or following the system; remembered on this device.
export type Theme = 'light' | 'dark' | 'system';
const KEY = 'soundtime_theme';

class ThemeStore {
  value = $state<Theme>('system');
  private media: MediaQueryList | null = null;

  init() {
    const v = localStorage.getItem(KEY);
    this.value = v === 'light' || v === 'dark' ? v : 'system';
    this.media = matchMedia('(prefers-color-scheme: dark)');
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  set(v: Theme) {
    this.value = v;
    localStorage.setItem(KEY, v);
    this.apply();
  }

  private apply() {
    const dark = this.value === 'dark' || (this.value === 'system' && !!this.media?.matches);
    document.documentElement.classList.toggle('dark', dark);
  }
}

export const theme = new ThemeStore();
