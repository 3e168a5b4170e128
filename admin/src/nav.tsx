import {
  ApiOutlined,
  AuditOutlined,
  BellOutlined,
  CheckSquareOutlined,
  ControlOutlined,
  DashboardOutlined,
  FileProtectOutlined,
  KeyOutlined,
  QuestionCircleOutlined,
  ReconciliationOutlined,
  SwapOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from './api/types';
import type { DictKey } from './i18n';

export interface NavItem {
  readonly path: string;
  readonly label: DictKey;
  readonly testId: string;
  readonly icon: ReactNode;
  /** The role the screen needs; the menu hides it from others. */
  readonly role: Role;
}

/** The side menu, in order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'nav.dashboard', testId: 'nav-dashboard', icon: <DashboardOutlined />, role: 'viewer' },
  { path: '/transfers', label: 'nav.transfers', testId: 'nav-transfers', icon: <SwapOutlined />, role: 'viewer' },
  { path: '/unknowns', label: 'nav.unknowns', testId: 'nav-unknowns', icon: <QuestionCircleOutlined />, role: 'viewer' },
  { path: '/notices', label: 'nav.notices', testId: 'nav-notices', icon: <BellOutlined />, role: 'viewer' },
  { path: '/consents', label: 'nav.consents', testId: 'nav-consents', icon: <FileProtectOutlined />, role: 'viewer' },
  { path: '/one-won', label: 'nav.oneWon', testId: 'nav-one-won', icon: <CheckSquareOutlined />, role: 'viewer' },
  { path: '/reconciliation', label: 'nav.reconciliation', testId: 'nav-reconciliation', icon: <ReconciliationOutlined />, role: 'viewer' },
  { path: '/webhooks', label: 'nav.webhooks', testId: 'nav-webhooks', icon: <ApiOutlined />, role: 'viewer' },
  { path: '/switches', label: 'nav.switches', testId: 'nav-switches', icon: <ControlOutlined />, role: 'viewer' },
  { path: '/api-keys', label: 'nav.apiKeys', testId: 'nav-api-keys', icon: <KeyOutlined />, role: 'admin' },
  { path: '/operators', label: 'nav.operators', testId: 'nav-operators', icon: <TeamOutlined />, role: 'admin' },
  { path: '/audit', label: 'nav.audit', testId: 'nav-audit', icon: <AuditOutlined />, role: 'viewer' },
];

/** The menu entry a location belongs to (the longest path that prefixes it). */
export function navItemFor(pathname: string): NavItem | undefined {
  let best: NavItem | undefined;
  for (const item of NAV_ITEMS) {
    const match = item.path === '/' ? pathname === '/' : pathname === item.path || pathname.startsWith(`${item.path}/`);
    if (match && (!best || item.path.length > best.path.length)) best = item;
  }
  return best;
}
