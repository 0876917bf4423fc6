// Applies the theme before the first paint so the page does not flash (external: the CSP forbids inline scripts).
try {
  var t = localStorage.getItem('soundtime_theme') || 'system';
  var dark = t === 'dark' || (t === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
} catch (e) {}
