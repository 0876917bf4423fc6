// Shapes of the SoundTime REST API (docs/openapi.yaml). Optional fields are omitted by the server when absent.

export interface User {
  id: string;
  username: string;
  email: string;
  display_name: string | null;
  avatar_url: string | null;
  role: 'admin' | 'user';
  instance_id: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface AuthResponse {
  user: User;
  tokens: TokenPair;
}

export interface Paginated<T> {
  data: T[];
  total: number;
  page: number;
  per_page: number;
  total_pages: number;
}

export interface Track {
  id: string;
  title: string;
  artist_id: string;
  album_id: string | null;
  track_number: number | null;
  disc_number: number | null;
  duration_secs: number;
  genre: string | null;
  year: number | null;
  format: string;
  bitrate: number | null;
  sample_rate: number | null;
  uploaded_by: string | null;
  play_count: number;
  created_at: string;
  artist_name?: string;
  album_title?: string;
  cover_url?: string | null;
}

export interface Album {
  id: string;
  title: string;
  artist_id: string;
  artist_name?: string;
  release_date: string | null;
  cover_url: string | null;
  genre: string | null;
  year: number | null;
  created_at: string;
}

export interface AlbumDetail extends Album {
  tracks: Track[];
}

export interface Artist {
  id: string;
  name: string;
  bio: string | null;
  image_url: string | null;
  created_at: string;
}

export interface ArtistDetail extends Artist {
  albums: Album[];
  tracks: Track[];
}

export interface Playlist {
  id: string;
  name: string;
  description: string | null;
  user_id: string;
  is_public: boolean;
  cover_url: string | null;
  track_count: number | null;
  created_at: string;
  updated_at: string;
}

/** GET /api/editorial-playlists: AI-made public playlists with their tracks. */
export interface EditorialPlaylist {
  id: string;
  name: string;
  description: string | null;
  cover_url: string | null;
  track_count: number;
  tracks: Track[];
}

export interface EditorialStatus {
  ai_configured: boolean;
  ai_base_url: string;
  ai_model: string;
  last_generated: string | null;
  playlist_count: number;
  needs_regeneration: boolean;
  running?: boolean;
  last_error?: string | null;
}

export interface PlaylistDetail extends Playlist {
  tracks: Track[];
}

export interface HistoryEntry {
  id: string;
  track_id?: string;
  track: Track;
  listened_at: string;
  duration_listened: number;
}

export interface SearchResults {
  tracks: Track[];
  albums: Album[];
  artists: Artist[];
  total: number;
}

export interface UploadResult {
  id: string;
  title: string;
  duration: number;
  format: string;
  message: string;
}

export interface SetupStatus {
  setup_complete: boolean;
  has_admin: boolean;
  instance_private: boolean;
}

export interface NodeInfo {
  name: string;
  description: string;
  version: string;
  track_count: number;
  user_count: number;
  open_registration: boolean;
}

export interface StatsOverview {
  total_tracks: number;
  total_albums: number;
  total_artists: number;
  total_genres: number;
  total_duration_secs: number;
  total_peers: number;
}

export interface PublicProfile {
  id: string;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
  playlists: Playlist[];
}

export interface Waveform {
  peaks: number[];
  fine_peaks?: number[];
}

export interface RadioResult {
  tracks: Track[];
  exhausted: boolean;
}

export interface AppPassword {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  password?: string;
}

// Admin

export interface AdminUser {
  id: string;
  username: string;
  email: string;
  display_name: string | null;
  role: 'admin' | 'user';
  is_banned: boolean;
  ban_reason: string | null;
  banned_at: string | null;
  created_at: string;
}

export interface Setting {
  key: string;
  value: string;
  is_secret?: boolean;
  is_default?: boolean;
}

export interface AdminStats {
  total_users: number;
  total_tracks: number;
  total_albums?: number;
  total_artists?: number;
  total_playlists?: number;
  active_sessions?: number;
  total_remote_tracks: number;
  p2p_enabled: boolean;
}

export interface StorageStatus {
  backend: string;
  total_tracks: number;
  total_size_bytes: number;
  storage_path_or_bucket: string;
  remote_track_count: number;
  remote_available_count: number;
}

export type TaskStatus =
  | { status: 'idle' }
  | { status: 'running'; task?: string; progress: { processed: number; total: number | null } }
  | {
      status: 'completed';
      result:
        | { kind: 'integrity'; total_checked: number; healthy: number; missing: { track_id: string; title: string; file_path: string }[]; errors: string[] }
        | { kind: 'sync'; scanned: number; imported: number; skipped: number; errors: string[] };
    }
  | { status: 'error'; message: string };

export interface Report {
  id: string;
  track_id: string;
  track_title: string;
  track_artist: string;
  reporter_username: string;
  reason: string;
  status: 'pending' | 'resolved' | 'dismissed';
  admin_note: string | null;
  created_at: string;
  resolved_at: string | null;
}

export interface ReportStats {
  pending: number;
  resolved: number;
  dismissed: number;
  total: number;
}

export interface BrowseTrack {
  id: string;
  title: string;
  artist_name: string;
  format: string;
  play_count: number;
  report_count: number;
  created_at: string;
}

export interface ListingStatus {
  enabled: boolean;
  domain: string;
  domain_is_local: boolean;
  listing_url: string;
  has_token: boolean;
  status: 'ok' | 'error' | 'delisted' | 'unknown';
  error: string | null;
  last_heartbeat: string | null;
}

export interface MetadataStatus {
  total_tracks: number;
  enriched_tracks: number;
  pending_tracks: number;
  tracks_with_bitrate: number;
  total_albums: number;
  albums_with_cover: number;
  total_remote_tracks: number;
  available_remote_tracks: number;
}

/** MusicBrainz enrichment of every pending track (src/api/metadata_routes.cpp). */
export type MetadataTask =
  | { status: 'idle' }
  | {
      status: 'running';
      progress: { processed: number; total: number; enriched: number; not_found: number; errors: number; current_track: string | null };
    }
  | { status: 'completed'; result: { total_processed: number; enriched: number; not_found: number; errors: number; already_enriched: number } }
  | { status: 'error'; message: string };

// Peer-to-peer (src/api/p2p_routes.cpp). Fields after node_id are only sent when the node runs.
export interface P2pStatus {
  enabled: boolean;
  node_id: string | null;
  relay_url: string | null;
  relay_connected: boolean;
  dht_discovery_enabled: boolean;
  direct_addresses: number;
  peer_count: number;
  online_peer_count: number;
  listen_port?: number;
  connections?: number;
  local_track_count?: number;
  cache_bytes?: number;
  cache_max_bytes?: number;
  /** How other nodes reach this one (issue 13); absent on older servers. */
  reachability?: P2pReachability;
}

/** The mapping of the P2P port on the home router (PCP, NAT-PMP or UPnP). */
export interface P2pPortMapping {
  enabled: boolean;
  active: boolean;
  protocol: 'pcp' | 'natpmp' | 'upnp' | null;
  /** "ip:port" the router gave us. */
  external: string | null;
  /** The router's own outside address is private: a second NAT sits in front of it. */
  double_nat: boolean;
  last_error: string | null;
}

/** This node's Mainline DHT client: where its signed record is published and peers' records are looked up. */
export interface P2pDhtStatus {
  enabled: boolean;
  routing_table_size: number;
  last_publish: string | null;
  /** How many DHT nodes stored the record at the last publish. */
  last_publish_stored: number;
  records_rejected: number;
  messages_dropped?: number;
  lookups: number;
}

export interface P2pReachability {
  /** "host:port" in our signed record: proven reachable from outside. */
  published_addresses: string[];
  proven_addresses: string[];
  port_mapping: P2pPortMapping;
  dht: P2pDhtStatus;
  /** This node forwards signals between its peers. */
  rendezvous_offered: boolean;
  /** Node ids of the peers this node uses as its rendezvous. */
  rendezvous_peers: string[];
  stun_servers: string[];
  /** "host:port" (credentials are never sent). */
  turn_servers: string[];
  signals_forwarded: number;
  signals_dropped: number;
}

/** The link in use with a peer: plain TCP, TCP over an ICE-found path, or through a TURN relay. */
export type PeerPath = 'direct_tcp' | 'ice_direct' | 'turn_relay';

export type CandidateSource = 'configured' | 'record' | 'dht' | 'observed' | 'lan' | 'pex';

/** An address a peer may be reached at, and where we learnt it. */
export interface PeerCandidate {
  address: string;
  /** One of CandidateSource; a newer server may send others. */
  source: string;
  last_ok: string | null;
}

export interface Peer {
  node_id: string;
  name: string | null;
  version: string | null;
  track_count: number;
  last_seen: string;
  is_online: boolean;
  address: string | null;
  failures: number;
  strikes: number;
  /** The link in use now; null when offline. Absent on older servers (like the next two). */
  path?: PeerPath | null;
  /** Why the peer cannot be reached, in words a user can act on. */
  unreachable_reason?: string | null;
  candidates?: PeerCandidate[];
}

export interface AddPeerResult {
  message: string;
  peer: Peer;
}

export interface PingResult {
  message: string;
  ok: boolean;
}

export type SyncState = 'offline' | 'empty' | 'synced' | 'partial' | 'not_synced';

export interface PeerSync {
  node_id: string;
  name: string | null;
  version: string | null;
  is_online: boolean;
  peer_announced_tracks: number;
  local_remote_tracks: number;
  available_tracks: number;
  our_track_count: number;
  sync_ratio: number;
  sync_state: SyncState;
  last_seen: string;
  sync_cursor: number;
}

export interface LibrarySync {
  local_track_count: number;
  total_peers: number;
  synced_peers: number;
  partial_peers: number;
  not_synced_peers: number;
  peers: PeerSync[];
}

export type CopyHealth = 'healthy' | 'recovered' | 'degraded' | 'dereferenced';

/** A replicated copy (src/api/p2p_admin_routes.cpp): the original's fields, then its health. */
export interface RemoteTrack {
  id: string;
  local_track_id: string | null;
  title: string;
  artist_name: string;
  album_title: string | null;
  instance_domain: string;
  remote_uri: string;
  bitrate: number | null;
  sample_rate: number | null;
  format: string | null;
  is_available: boolean;
  last_checked_at: string | null;
  created_at: string;
  content_hash: string;
  health_state: CopyHealth;
  failed_attempts: number;
  admin_dereferenced: boolean;
  last_failure_at: string | null;
}

export type ResyncStatus =
  | { status: 'idle' }
  | { status: 'running'; peer_id: string; progress: { processed: number; total: number | null; phase: string } }
  | { status: 'completed'; result: { peer_id: string; tracks_synced: number; tracks_already_known: number; errors: number; duration_secs: number } }
  | { status: 'error'; message: string };

export interface P2pLogEntry {
  timestamp: string;
  level: string;
  target: string;
  message: string;
}

export interface P2pLogs {
  entries: P2pLogEntry[];
  total_in_buffer: number;
}

export interface GraphNode {
  id: string;
  node_type: 'self' | 'peer';
  label: string;
  online: boolean;
  track_count: number;
  version: string | null;
}

export interface GraphLink {
  source: string;
  target: string;
  link_type: string;
}

export interface NetworkGraph {
  nodes: GraphNode[];
  links: GraphLink[];
}

/** A blocked web domain or P2P NodeId (64 hex). */
export interface BlockedDomain {
  id: string;
  domain: string;
  reason: string | null;
  created_at: string;
}

export interface BlockedImport {
  imported: number;
  skipped: number;
}

/** A user's own other instance whose playlists and favorites stay in sync (src/api/device_routes.cpp). */
export interface Device {
  id: string;
  node_id: string;
  remote_username: string;
  name: string | null;
  created_at: string;
  last_synced_at: string | null;
  last_error: string | null;
}
export interface Devices {
  node_id: string | null;
  username: string;
  devices: Device[];
}
export interface DeviceSyncResult {
  device_id: string;
  node_id: string;
  ok: boolean;
  error: string | null;
  favorites_added: number;
  favorites_removed: number;
  playlists_created: number;
  playlists_updated: number;
  playlists_deleted: number;
  tracks_missing: number;
}

/** An installed web theme (GET /api/admin/themes). */
export interface SiteTheme {
  id: string;
  name: string;
  version: string;
  description: string | null;
  author: string | null;
  license: string | null;
  homepage: string | null;
  git_url: string;
  source?: 'git' | 'upload';
  css_path: string;
  assets_path: string | null;
  status: 'enabled' | 'disabled';
  installed_at: string;
  updated_at: string;
  installed_by: string | null;
}

export interface LastfmStatus {
  connected: boolean;
  username: string | null;
  scrobble_enabled: boolean;
}

export interface ListenBrainzStatus {
  connected: boolean;
  username: string | null;
  pending: number;
}
