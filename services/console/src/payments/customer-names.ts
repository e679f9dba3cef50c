import { useEffect, useState } from 'react';
import { apiGet } from '../api/http';
import type { Customer } from '../api/types';

/** Names asked for once per page load: a worklist shows the same few customers again and again. */
const names = new Map<string, Promise<string | null>>();

function nameOf(id: string): Promise<string | null> {
  let name = names.get(id);
  if (!name) {
    name = apiGet<Customer>(`/api/v1/customers/${encodeURIComponent(id)}`).then(
      (c) => c.name,
      () => {
        // Outside the caller's territory or gone: the id stays on screen; ask again next time.
        names.delete(id);
        return null;
      },
    );
    names.set(id, name);
  }
  return name;
}

/** The names of these customers as they arrive (GET /api/v1/payments carries only the id). */
export function useCustomerNames(ids: readonly (string | null | undefined)[]): ReadonlyMap<string, string> {
  const [known, setKnown] = useState<ReadonlyMap<string, string>>(new Map());
  const key = [...new Set(ids.filter((id): id is string => typeof id === 'string'))].sort().join(',');
  useEffect(() => {
    let live = true;
    const wanted = key === '' ? [] : key.split(',');
    void Promise.all(wanted.map(async (id) => [id, await nameOf(id)] as const)).then((pairs) => {
      if (!live) return;
      setKnown(new Map(pairs.filter((p): p is readonly [string, string] => p[1] !== null)));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return known;
}

/** Remembers a name already read (a customer search result), so the table need not ask for it. */
export function rememberName(id: string, name: string): void {
  names.set(id, Promise.resolve(name));
}
