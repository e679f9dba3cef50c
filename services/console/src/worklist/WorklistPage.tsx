import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiRequest, isAbort } from '../api/http';
import type { MapList, MapListItem, PlannedRoute } from '../api/types';
import { formatMoney, formatNumber, localeOf } from '../format';
import type { BaseMapInput } from '../map/base-style';
import { loadBase } from '../map/MapPage';
import { routeCsv } from './route-csv';
import { RouteMap } from './RouteMap';

const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD'] as const;
const PAGE = 50;
const TOP = 10;

/**
 * The collector's worklist: overdue customers ranked by days overdue × overdue amount in one
 * currency (GET /api/v1/map/list?sort=priority), a selection of them planned into a visiting route
 * (POST /api/v1/map/routes, starting at the first selected and back), drawn on the map, printable
 * and exported as CSV.
 */
export function WorklistPage() {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [currency, setCurrency] = useState<string>('CNY');
  const [items, setItems] = useState<MapListItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [route, setRoute] = useState<PlannedRoute | null>(null);
  const [planning, setPlanning] = useState(false);
  const [base, setBase] = useState<BaseMapInput | null>(null);

  const query = useCallback(
    (after: string | null) =>
      `/api/v1/map/list?${new URLSearchParams({
        status: 'overdue',
        sort: 'priority',
        currency,
        limit: String(PAGE),
        ...(after ? { cursor: after } : {}),
      }).toString()}`,
    [currency],
  );

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    apiGet<MapList>(query(null), abort.signal).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        setLoading(false);
        setError(null);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [query]);

  useEffect(() => {
    loadBase().then(setBase, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);

  const more = (): void => {
    apiGet<MapList>(query(cursor)).then(
      (page) => {
        setItems((held) => [...held, ...page.items]);
        setCursor(page.nextCursor);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };

  const toggle = (id: string, on: boolean): void =>
    setSelected((held) => (on ? [...held, id] : held.filter((x) => x !== id)));

  const plan = (): void => {
    const first = items.find((i) => i.customerId === selected[0]);
    if (!first) return;
    setPlanning(true);
    apiRequest<PlannedRoute>('POST', '/api/v1/map/routes', {
      start: { lat: first.lat, lng: first.lng },
      customerIds: selected,
      returnToStart: true,
    }).then(
      (planned) => {
        setRoute(planned);
        setPlanning(false);
        setError(null);
      },
      (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setPlanning(false);
      },
    );
  };

  const exportCsv = (): void => {
    if (!route) return;
    const url = URL.createObjectURL(new Blob([routeCsv(route)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `route-${new Date().toISOString().slice(0, 10)}.csv`;
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const overdueIn = (i: MapListItem): string => {
    const b = i.balances.find((x) => x.overdue.currency === currency);
    return b ? formatMoney(b.overdue, locale) : '—';
  };
  const firstName = items.find((i) => i.customerId === selected[0])?.name ?? '';

  return (
    <div className="worklist-page">
      <section className="worklist" aria-labelledby="worklist-title">
        <h2 id="worklist-title">{t('worklist.title')}</h2>
        <p className="muted">{t('worklist.intro', { currency })}</p>
        <div className="worklist-actions no-print">
          <label className="field">
            {t('worklist.currency')}
            <select
              value={currency}
              onChange={(e) => setCurrency(e.target.value)}
              data-testid="worklist-currency"
            >
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => setSelected(items.slice(0, TOP).map((i) => i.customerId))}
            disabled={items.length === 0}
          >
            {t('worklist.selectTop', { count: Math.min(TOP, items.length) })}
          </button>
          <button type="button" onClick={() => setSelected([])} disabled={selected.length === 0}>
            {t('worklist.clear')}
          </button>
          <button
            type="button"
            className="primary"
            data-testid="plan-route"
            onClick={plan}
            disabled={selected.length === 0 || planning}
          >
            {planning ? t('worklist.planning') : t('worklist.plan', { count: selected.length })}
          </button>
        </div>
        {error ? (
          <p role="alert" className="error">
            {t('app.error', { message: error })}
          </p>
        ) : null}
        {loading ? <p className="muted">{t('app.loading')}</p> : null}
        {!loading && items.length === 0 ? <p className="muted">{t('worklist.none')}</p> : null}
        {items.length > 0 ? (
          <table className="table worklist-table" data-testid="worklist">
            <thead>
              <tr>
                <th scope="col">{t('worklist.select')}</th>
                <th scope="col">{t('worklist.rank')}</th>
                <th scope="col">{t('worklist.name')}</th>
                <th scope="col">{t('worklist.place')}</th>
                <th scope="col">{t('worklist.days')}</th>
                <th scope="col">{t('worklist.overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i, n) => (
                <tr key={i.customerId} data-customer-id={i.customerId}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('worklist.selectRow', { name: i.name })}
                      checked={selected.includes(i.customerId)}
                      onChange={(e) => toggle(i.customerId, e.target.checked)}
                    />
                  </td>
                  <td>{formatNumber(n + 1, locale)}</td>
                  <th scope="row">{i.name}</th>
                  <td>{[i.region, i.city].filter(Boolean).join(' ')}</td>
                  <td>{formatNumber(i.daysOverdue, locale)}</td>
                  <td>{overdueIn(i)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {cursor ? (
          <button type="button" className="link no-print" onClick={more}>
            {t('worklist.more')}
          </button>
        ) : null}
      </section>
      {route ? (
        <section className="route" aria-labelledby="route-title" data-testid="route">
          <div className="route-head">
            <h2 id="route-title">{t('worklist.route')}</h2>
            <div className="no-print">
              <button type="button" onClick={() => window.print()}>
                {t('worklist.print')}
              </button>
              <button type="button" onClick={exportCsv} data-testid="export-csv">
                {t('worklist.exportCsv')}
              </button>
            </div>
          </div>
          <p>
            {t('worklist.routeSummary', {
              stops: formatNumber(route.stops.length, locale),
              km: formatNumber(route.totalKm, locale),
              first: firstName,
            })}
          </p>
          {base ? <RouteMap base={base} route={route} /> : null}
          <table className="table" data-testid="route-stops">
            <thead>
              <tr>
                <th scope="col">{t('worklist.stop')}</th>
                <th scope="col">{t('worklist.name')}</th>
                <th scope="col">{t('worklist.legKm')}</th>
                <th scope="col">{t('worklist.totalKm')}</th>
                <th scope="col">{t('worklist.expected')}</th>
              </tr>
            </thead>
            <tbody>
              {route.stops.map((s) => (
                <tr key={s.customerId} data-customer-id={s.customerId}>
                  <td>{s.sequence}</td>
                  <th scope="row">{s.name}</th>
                  <td>{formatNumber(s.legKm, locale)}</td>
                  <td>{formatNumber(s.cumulativeKm, locale)}</td>
                  <td>{s.expected.map((m) => formatMoney(m, locale)).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {route.unlocated.length > 0 ? (
            <p className="muted">
              {t('worklist.unlocated', { names: route.unlocated.map((u) => u.name).join('、') })}
            </p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
