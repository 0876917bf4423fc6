// Typed calls of the REST API, grouped by resource. Pages use these, never raw paths.
import { client } from './client';
import type * as T from './types';

const enc = encodeURIComponent;

export const api = {
  setup: {
    status: () => client.get<T.SetupStatus>('/api/setup/status', undefined, { auth: false }),
    admin: (b: { username: string; email: string; password: string }) => client.post<T.AuthResponse>('/api/setup/admin', b, { auth: false }),
    instance: (b: { instance_name: string; instance_description: string; instance_private?: boolean }) => client.post('/api/setup/instance', b),
    complete: (b: { p2p_enabled: boolean; open_registrations: boolean; max_upload_size_mb: number }) => client.post('/api/setup/complete', b)
  },
  nodeinfo: () => client.get<T.NodeInfo>('/api/nodeinfo', undefined, { auth: false }),
  tos: () => client.get<{ content: string; is_default: boolean }>('/api/tos'),
  auth: {
    me: () => client.get<T.User>('/api/auth/me'),
    email: (new_email: string, password: string) => client.put<T.User>('/api/auth/email', { new_email, password }),
    profile: (display_name: string | null) => client.put<T.User>('/api/auth/profile', { display_name }),
    password: (current_password: string, new_password: string) => client.put('/api/auth/password', { current_password, new_password }),
    deleteAccount: (password: string) => client.del('/api/auth/account', { password }),
    appPasswords: () => client.get<T.AppPassword[]>('/api/auth/app-passwords'),
    createAppPassword: (name: string) => client.post<T.AppPassword>('/api/auth/app-passwords', { name }),
    revokeAppPassword: (id: string) => client.del(`/api/auth/app-passwords/${enc(id)}`),
    devices: () => client.get<T.Devices>('/api/devices'),
    addDevice: (node_id: string, remote_username: string, name: string) =>
      client.post<T.Device>('/api/devices', name ? { node_id, remote_username, name } : { node_id, remote_username }),
    removeDevice: (id: string) => client.del(`/api/devices/${enc(id)}`),
    syncDevices: () => client.post<{ results: T.DeviceSyncResult[] }>('/api/devices/sync')
  },
  tracks: {
    list: (page = 1, per_page = 50, signal?: AbortSignal) => client.get<T.Paginated<T.Track>>('/api/tracks', { page, per_page }, { signal }),
    recent: (per_page = 12) => client.get<T.Paginated<T.Track>>('/api/tracks/recently-added', { per_page }),
    popular: (per_page = 10, page = 1) => client.get<T.Paginated<T.Track>>('/api/tracks/popular', { page, per_page }),
    trending: (limit = 10) => client.get<T.Track[]>('/api/tracks/trending', { window: '7d', limit }),
    random: (count = 12) => client.get<T.Track[]>('/api/tracks/random', { count }),
    mine: (page = 1, per_page = 50) => client.get<T.Paginated<T.Track>>('/api/tracks/my-uploads', { page, per_page }),
    get: (id: string) => client.get<T.Track>(`/api/tracks/${enc(id)}`),
    update: (id: string, b: Partial<Pick<T.Track, 'title' | 'genre' | 'year' | 'track_number' | 'disc_number'>>) => client.put<T.Track>(`/api/tracks/${enc(id)}`, b),
    remove: (id: string) => client.del(`/api/tracks/${enc(id)}`),
    waveform: (id: string) => client.get<T.Waveform>(`/api/tracks/${enc(id)}/waveform`),
    report: (id: string, reason: string) => client.post<{ id: string; message: string }>(`/api/tracks/${enc(id)}/report`, { reason })
  },
  albums: {
    list: (page = 1, per_page = 24, signal?: AbortSignal) => client.get<T.Paginated<T.Album>>('/api/albums', { page, per_page }, { signal }),
    recent: (per_page = 12) => client.get<T.Paginated<T.Album>>('/api/albums/recent', { per_page }),
    get: (id: string) => client.get<T.AlbumDetail>(`/api/albums/${enc(id)}`),
    setCover: (id: string, file: File) =>
      client.upload<{ message: string; cover_url: string }>(
        `/api/albums/${enc(id)}/cover`,
        () => {
          const f = new FormData();
          f.append('cover', file, file.name);
          return f;
        },
        () => {}
      )
  },
  artists: {
    list: (page = 1, per_page = 48, signal?: AbortSignal) => client.get<T.Paginated<T.Artist>>('/api/artists', { page, per_page }, { signal }),
    get: (id: string) => client.get<T.ArtistDetail>(`/api/artists/${enc(id)}`)
  },
  genres: {
    list: () => client.get<string[]>('/api/genres'),
    tracks: (genre: string, page = 1, per_page = 50) => client.get<T.Paginated<T.Track>>(`/api/genres/${enc(genre)}/tracks`, { page, per_page })
  },
  stats: () => client.get<T.StatsOverview>('/api/stats/overview'),
  search: (q: string, per_page = 10, signal?: AbortSignal) => client.get<T.SearchResults>('/api/search', { q, per_page }, { signal }),
  users: { get: (id: string) => client.get<T.PublicProfile>(`/api/users/${enc(id)}`) },
  playlists: {
    publicList: (page = 1) => client.get<T.Paginated<T.Playlist>>('/api/playlists', { page, per_page: 50 }),
    mine: () => client.get<T.Paginated<T.Playlist>>('/api/playlists/mine', { per_page: 100 }),
    get: (id: string) => client.get<T.PlaylistDetail>(`/api/playlists/${enc(id)}`),
    create: (b: { name: string; description?: string; is_public?: boolean }) => client.post<T.Playlist>('/api/playlists', b),
    update: (id: string, b: { name?: string; description?: string; is_public?: boolean }) => client.put<T.Playlist>(`/api/playlists/${enc(id)}`, b),
    remove: (id: string) => client.del(`/api/playlists/${enc(id)}`),
    addTrack: (id: string, track_id: string) => client.post(`/api/playlists/${enc(id)}/tracks`, { track_id }),
    removeTrack: (id: string, track_id: string) => client.del(`/api/playlists/${enc(id)}/tracks/${enc(track_id)}`),
    reorder: (id: string, track_ids: string[]) => client.put(`/api/playlists/${enc(id)}/tracks`, { track_ids })
  },
  favorites: {
    list: (page = 1, per_page = 50) => client.get<T.Paginated<T.Track>>('/api/favorites', { page, per_page }),
    check: (ids: string[]) => client.get<string[]>('/api/favorites/check', { track_ids: ids.join(',') }),
    add: (id: string) => client.post(`/api/favorites/${enc(id)}`),
    remove: (id: string) => client.del(`/api/favorites/${enc(id)}`)
  },
  history: {
    list: (page = 1, per_page = 50) => client.get<T.Paginated<T.HistoryEntry>>('/api/history', { page, per_page }),
    recent: (per_page = 8) => client.get<T.HistoryEntry[]>('/api/history/recent', { per_page }),
    record: (b: { track_id: string; duration_listened: number; source_context?: string; completed: boolean; skipped: boolean; skip_position?: number }) =>
      client.post('/api/history', b)
  },
  lastfm: {
    status: () => client.get<T.LastfmStatus>('/api/lastfm/status'),
    connect: () => client.get<{ auth_url: string }>('/api/lastfm/connect'),
    callback: (token: string) => client.post<T.LastfmStatus>('/api/lastfm/callback', { token }),
    toggle: (enabled: boolean) => client.post('/api/lastfm/toggle', { enabled }),
    disconnect: () => client.del('/api/lastfm/disconnect'),
    nowPlaying: (track_id: string) => client.post('/api/lastfm/now-playing', { track_id })
  },
  listenbrainz: {
    status: () => client.get<T.ListenBrainzStatus>('/api/listenbrainz'),
    set: (token: string) => client.put<T.ListenBrainzStatus>('/api/listenbrainz', { token }),
    remove: () => client.del('/api/listenbrainz')
  },
  radio: (b: { seed_type: string; seed_id?: string; genre?: string; count?: number; exclude: string[] }) => client.post<T.RadioResult>('/api/radio/next', b),
  upload: (file: File, onProgress: (loaded: number, total: number) => void, signal?: AbortSignal) =>
    client.upload<T.UploadResult>(
      '/api/upload',
      () => {
        const f = new FormData();
        f.append('file', file, file.name);
        return f;
      },
      onProgress,
      signal
    ),
  editorial: {
    list: () => client.get<T.EditorialPlaylist[]>('/api/editorial-playlists'),
    status: () => client.get<T.EditorialStatus>('/api/admin/editorial/status'),
    generate: () => client.post<{ playlists_created: number; message: string }>('/api/admin/editorial/generate')
  },
  admin: {
    stats: () => client.get<T.AdminStats>('/api/admin/stats'),
    users: () => client.get<T.AdminUser[]>('/api/admin/users'),
    createUser: (b: { username: string; email: string; password: string; role: string }) => client.post<T.AdminUser>('/api/admin/users', b),
    setRole: (id: string, role: string) => client.put(`/api/admin/users/${enc(id)}/role`, { role }),
    ban: (id: string, reason: string) => client.put(`/api/admin/users/${enc(id)}/ban`, { reason }),
    unban: (id: string) => client.del(`/api/admin/users/${enc(id)}/ban`),
    settings: () => client.get<T.Setting[]>('/api/admin/settings'),
    setSetting: (key: string, value: string | boolean | number) => client.put<T.Setting>(`/api/admin/settings/${enc(key)}`, { value }),
    reports: () => client.get<T.Report[]>('/api/admin/reports'),
    reportStats: () => client.get<T.ReportStats>('/api/admin/reports/stats'),
    resolveReport: (id: string, action: 'resolved' | 'dismissed', track_action: 'delete' | 'none', admin_note: string) =>
      client.put<{ message: string }>(`/api/admin/reports/${enc(id)}`, { action, track_action, admin_note }),
    browseTracks: (search: string, page = 1) => client.get<T.Paginated<T.BrowseTrack>>('/api/admin/tracks/browse', { search, page, per_page: 50 }),
    moderateTrack: (id: string) => client.del<{ message: string }>(`/api/admin/tracks/${enc(id)}/moderate`),
    setTos: (content: string) => client.put<{ message: string }>('/api/admin/tos', { content }),
    resetTos: () => client.del<{ message: string }>('/api/admin/tos'),
    themes: () => client.get<{ themes: T.SiteTheme[] }>('/api/admin/themes'),
    installTheme: (git_url: string) => client.post<T.SiteTheme>('/api/admin/themes/install', { git_url }),
    uploadTheme: (file: File) =>
      client.upload<T.SiteTheme>(
        '/api/admin/themes/upload',
        () => {
          const f = new FormData();
          f.append('file', file);
          return f;
        },
        () => {}
      ),
    enableTheme: (id: string) => client.post<{ status: string }>(`/api/admin/themes/${enc(id)}/enable`),
    disableTheme: (id: string) => client.post<{ status: string }>(`/api/admin/themes/${enc(id)}/disable`),
    updateTheme: (id: string) => client.post<T.SiteTheme>(`/api/admin/themes/${enc(id)}/update`),
    deleteTheme: (id: string) => client.del(`/api/admin/themes/${enc(id)}`),
    storageStatus: () => client.get<T.StorageStatus>('/api/admin/storage/status'),
    integrityCheck: () => client.post('/api/admin/storage/integrity-check'),
    sync: () => client.post('/api/admin/storage/sync'),
    taskStatus: () => client.get<T.TaskStatus>('/api/admin/storage/task-status'),
    listingStatus: () => client.get<T.ListingStatus>('/api/admin/listing/status'),
    listingTrigger: () => client.post<{ status: string; message: string }>('/api/admin/listing/trigger'),
    listingDelist: () => client.post<{ status: string; message: string }>('/api/admin/listing/delist'),
    metadataStatus: () => client.get<T.MetadataStatus>('/api/admin/metadata/status'),
    enrichAll: () => client.post('/api/admin/metadata/enrich-all'),
    metadataTask: () => client.get<T.MetadataTask>('/api/admin/metadata/task-status'),
    dismissMetadataTask: () => client.post('/api/admin/metadata/task-dismiss'),
    peers: () => client.get<T.Peer[]>('/api/admin/p2p/peers'),
    /** address: "NodeId@host:port" (the server splits it). */
    addPeer: (address: string) => client.post<T.AddPeerResult>('/api/admin/p2p/peers', { node_id: address }),
    removePeer: (nodeId: string) => client.del<{ message: string }>(`/api/admin/p2p/peers/${enc(nodeId)}`),
    pingPeer: (nodeId: string) => client.post<T.PingResult>(`/api/admin/p2p/peers/${enc(nodeId)}/ping`),
    librarySync: () => client.get<T.LibrarySync>('/api/admin/p2p/library-sync'),
    resyncPeer: (nodeId: string) => client.post<{ message: string }>(`/api/admin/p2p/library-sync/${enc(nodeId)}`),
    resyncStatus: () => client.get<T.ResyncStatus>('/api/admin/p2p/library-sync/task-status'),
    resyncDismiss: () => client.post<{ message: string }>('/api/admin/p2p/library-sync/task-dismiss'),
    remoteTracks: () => client.get<T.RemoteTrack[]>('/api/admin/remote-tracks'),
    dereference: (id: string) => client.patch<{ message: string; track: T.RemoteTrack }>(`/api/admin/p2p/tracks/${enc(id)}/dereference`),
    rereference: (id: string) => client.patch<{ message: string; track: T.RemoteTrack }>(`/api/admin/p2p/tracks/${enc(id)}/rereference`),
    p2pLogs: (level: string, limit = 200) => client.get<T.P2pLogs>('/api/admin/p2p/logs', level ? { level, limit } : { limit }),
    clearP2pLogs: () => client.del<{ status: string }>('/api/admin/p2p/logs'),
    blocked: () => client.get<T.BlockedDomain[]>('/api/admin/blocked-domains'),
    block: (domain: string, reason: string) => client.post<T.BlockedDomain>('/api/admin/blocked-domains', reason ? { domain, reason } : { domain }),
    unblock: (id: string) => client.del(`/api/admin/blocked-domains/${enc(String(id))}`),
    exportBlocked: () => client.get<T.BlockedDomain[]>('/api/admin/blocked-domains/export'),
    importBlocked: (items: { domain: string; reason?: string }[]) => client.post<T.BlockedImport>('/api/admin/blocked-domains/import', items)
  },
  p2p: {
    status: () => client.get<T.P2pStatus>('/api/p2p/status'),
    graph: () => client.get<T.NetworkGraph>('/api/p2p/network-graph')
  }
};
