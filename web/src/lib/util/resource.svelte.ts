// Loading state for pages: one value, or a list that grows page by page (infinite scroll).
import type { Paginated } from '$lib/api/types';
import { errorText } from './errors';

export class Resource<T> {
  data = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private seq = 0;

  constructor(private fn: () => Promise<T>) {}

  async load(): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    this.error = null;
    try {
      const v = await this.fn();
      if (mine === this.seq) this.data = v;
    } catch (e) {
      if (mine === this.seq) this.error = errorText(e);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}

export class Paged<T> {
  items = $state.raw<T[]>([]);
  page = $state(0);
  totalPages = $state(1);
  total = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  private seq = 0;

  constructor(private fn: (page: number) => Promise<Paginated<T>>) {}

  get done() {
    return this.page >= this.totalPages;
  }

  get loaded() {
    return this.page > 0;
  }

  async reset(): Promise<void> {
    this.seq++;
    this.items = [];
    this.page = 0;
    this.totalPages = 1;
    this.loading = false;
    await this.more();
  }

  async more(): Promise<void> {
    if (this.loading || this.done) return;
    const mine = this.seq;
    this.loading = true;
    this.error = null;
    try {
      const r = await this.fn(this.page + 1);
      if (mine !== this.seq) return;
      this.items = [...this.items, ...r.data];
      this.page = r.page || this.page + 1;
      this.totalPages = r.total_pages;
      this.total = r.total;
    } catch (e) {
      if (mine === this.seq) this.error = errorText(e);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
