// The track dialogs (add to playlist, report, edit, delete) are rendered once in the layout.
import type { Track } from '$lib/api/types';

export type TrackDialog = 'playlist' | 'report' | 'edit' | 'delete';

class Dialogs {
  kind = $state<TrackDialog | null>(null);
  tracks = $state.raw<Track[]>([]);
  /** Called after an edit or delete succeeded, so the page can reload. */
  done: ((t: Track | null) => void) | null = null;

  open(kind: TrackDialog, tracks: Track[], done: ((t: Track | null) => void) | null = null) {
    this.tracks = tracks;
    this.done = done;
    this.kind = kind;
  }

  close() {
    this.kind = null;
  }
}

export const dialogs = new Dialogs();
