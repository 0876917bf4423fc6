// The admin console: one component per tab. The network graph's d3-force is fetched when its tab opens.
import type { Component } from 'svelte';
import { LayoutDashboard, Users as UsersIcon, Settings as SettingsIcon, Flag, FileText, HardDrive, Tags, Waypoints, ShieldBan, Network as NetworkIcon, HeartPulse, Globe, Palette, Sparkles } from '@lucide/svelte';
import Dashboard from './Dashboard.svelte';
import Users from './Users.svelte';
import Settings from './Settings.svelte';
import Reports from './Reports.svelte';
import Tos from './Tos.svelte';
import Storage from './Storage.svelte';
import Metadata from './Metadata.svelte';
import Editorial from './Editorial.svelte';
import Peers from './p2p/Peers.svelte';
import Blocked from './p2p/Blocked.svelte';
import Network from './p2p/Network.svelte';
import Health from './p2p/Health.svelte';
import Listing from './Listing.svelte';
import Themes from './Themes.svelte';

export interface AdminTab {
  id: string;
  /** i18n key of the tab label. */
  label: string;
  icon: typeof LayoutDashboard;
  component: Component;
}

export const ADMIN_TABS: AdminTab[] = [
  { id: 'dashboard', label: 'admin.dashboard', icon: LayoutDashboard, component: Dashboard },
  { id: 'users', label: 'admin.users', icon: UsersIcon, component: Users },
  { id: 'settings', label: 'admin.settings', icon: SettingsIcon, component: Settings },
  { id: 'reports', label: 'admin.reports', icon: Flag, component: Reports },
  { id: 'tos', label: 'admin.tos', icon: FileText, component: Tos },
  { id: 'storage', label: 'admin.storage', icon: HardDrive, component: Storage },
  { id: 'metadata', label: 'admin.metadata', icon: Tags, component: Metadata },
  { id: 'editorial', label: 'admin.editorial', icon: Sparkles, component: Editorial },
  { id: 'peers', label: 'admin.peers', icon: Waypoints, component: Peers },
  { id: 'blocked', label: 'admin.blocked', icon: ShieldBan, component: Blocked },
  { id: 'network', label: 'admin.network', icon: NetworkIcon, component: Network },
  { id: 'health', label: 'admin.health', icon: HeartPulse, component: Health },
  { id: 'listing', label: 'admin.listing', icon: Globe, component: Listing },
  { id: 'themes', label: 'admin.themes', icon: Palette, component: Themes }
];
