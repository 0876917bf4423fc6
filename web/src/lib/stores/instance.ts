// Browser singletons wired to the API: the player and the shared state of the current page.
import { api } from '$lib/api';
import { auth } from './auth.svelte';
import { Player, type AudioLike } from './player.svelte';

function createAudio(): AudioLike {
  const a = new Audio();
  a.preload = 'auto';
  a.setAttribute('aria-hidden', 'true');
  a.hidden = true;
  document.body.appendChild(a);
  return a;
}

export const player = new Player({
  createAudio,
  recordListen: (b) => api.history.record(b),
  nowPlaying: (id) => api.lastfm.nowPlaying(id),
  radio: (b) => api.radio(b),
  mediaUrl: (p) => auth.mediaUrl(p),
  storage: typeof localStorage !== 'undefined' ? localStorage : null,
  mediaSession: typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : null
});
