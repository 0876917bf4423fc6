// The admin console: one component per tab. The P2P tabs (peers, blocked peers, network graph) are
// added to this list when the P2P API lands; nothing else needs to change.
import type { Component } from 'svelte';
import { LayoutDashboard, Users as UsersIcon, Settings as SettingsIcon, Flag, FileText, HardDrive } from '@lucide/svelte';
import Dashboard from './Dashboard.svelte';
import Users from './Users.svelte';
import Settings from './Settings.svelte';
import Reports from './Reports.svelte';
import Tos from './Tos.svelte';
import Storage from './Storage.svelte';

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
  { id: 'storage', label: 'admin.storage', icon: HardDrive, component: Storage }
];
