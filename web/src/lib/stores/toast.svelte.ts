// Short notices at the bottom of the screen (role=status, so screen readers announce them).
export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

class Toasts {
  items = $state<Toast[]>([]);
  private n = 0;

  show(text: string, kind: Toast['kind'] = 'info', ms = 4000) {
    const id = ++this.n;
    this.items = [...this.items, { id, text, kind }];
    setTimeout(() => this.dismiss(id), ms);
  }

  error(e: unknown) {
    this.show(e instanceof Error && e.message ? e.message : String(e ?? 'Error'), 'error', 6000);
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
