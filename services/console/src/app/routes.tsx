import type { ReactNode } from 'react';
import type { Me } from '../api/types';

/**
 * The console's pages by path. The map is the first; the worklist, dashboard and customer pages
 * join this table (and the navigation, which is drawn from it) as they are built.
 */
export interface Page {
  path: string;
  /** Key of its name in the messages (app.*). */
  label: 'map' | 'worklist' | 'payments';
  render: (props: { onSessionLost: () => void; me: Me }) => ReactNode;
  /** Shown (and in the navigation) only with this permission of GET /api/v1/me. */
  permission?: string;
}

export function pageOf<P extends { path: string }>(pages: readonly P[], pathname: string): P | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  return pages.find((p) => p.path === path);
}
