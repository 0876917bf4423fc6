// Which tracks the user has favorited, learnt in batches for the lists on screen.
import { api } from '$lib/api';
import { SvelteSet } from 'svelte/reactivity';

class Favorites {
  ids = new SvelteSet<string>();
  private known = new Set<string>();

  has(id: string) {
    return this.ids.has(id);
  }

  async check(ids: string[]) {
    const unknown = ids.filter((id) => !this.known.has(id));
    if (!unknown.length) return;
    // A long scroll through the library must not grow this set without bound: forget, ask again later.
    if (this.known.size > 10_000) this.known.clear();
    unknown.forEach((id) => this.known.add(id));
    try {
      for (let i = 0; i < unknown.length; i += 100) {
        const liked = await api.favorites.check(unknown.slice(i, i + 100));
        liked.forEach((id) => this.ids.add(id));
      }
    } catch {
      unknown.forEach((id) => this.known.delete(id));
    }
  }

  async toggle(id: string) {
    const on = !this.ids.has(id);
    if (on) this.ids.add(id);
    else this.ids.delete(id);
    try {
      if (on) await api.favorites.add(id);
      else await api.favorites.remove(id);
    } catch (e) {
      if (on) this.ids.delete(id);
      else this.ids.add(id);
      throw e;
    }
  }

  reset() {
    this.ids.clear();
    this.known.clear();
  }
}

export const favorites = new Favorites();
