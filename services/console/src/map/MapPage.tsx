import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, isAbort } from '../api/http';
import type {
  Boundaries,
  ConsoleConfig,
  MapCustomers,
  MapFeature,
  MapList,
  MapListItem,
  PinChange,
  PinProperties,
  RegionRollup,
  RegionRollups,
  UnlocatedCustomer,
  UnlocatedPage,
} from '../api/types';
import { formatTime, localeOf } from '../format';
import type { BaseMapInput } from './base-style';
import { buildChoropleth, type Choropleth, type ChoroplethLevel, type ChoroplethMetric } from './choropleth';
import { ChoroplethControls } from './ChoroplethControls';
import { CustomerPanel } from './CustomerPanel';
import { Filters, Legend } from './Filters';
import { useLivePins } from './live';
import { MapCanvas } from './MapCanvas';
import { SideList } from './SideList';
import { mapCustomersQuery, mapListQuery, NO_FILTERS, shows, type MapFilters, type MapView } from './view';

/** The currency the outstanding choropleth sums (amounts are never added across currencies). */
const CHOROPLETH_CURRENCY = 'CNY';

/** Pans and zooms come in bursts: ask once they settle, and drop the answer to an older view. */
const VIEW_DEBOUNCE_MS = 200;
/** Live changes that need the view again (groups, filters) are gathered this long into one request. */
const LIVE_REFRESH_MS = 500;

/** Where the map opens: ?lng=&lat=&zoom= of the address (shareable), else China. */
function initialView(): { center: [number, number]; zoom: number } {
  const q = new URLSearchParams(window.location.search);
  const lng = Number(q.get('lng'));
  const lat = Number(q.get('lat'));
  const zoom = Number(q.get('zoom'));
  const valid = q.has('lng') && q.has('lat') && Math.abs(lng) <= 180 && Math.abs(lat) <= 85;
  return {
    center: valid ? [lng, lat] : [104.5, 35.5],
    zoom: q.has('zoom') && zoom >= 0 && zoom <= 18 ? zoom : 3.4,
  };
}

/** The offline base map's boundaries and the deployment's tile settings. */
export async function loadBase(): Promise<BaseMapInput> {
  const [config, countries, provinces] = await Promise.all([
    fetch('/console-config.json', { credentials: 'same-origin' }).then(
      (r) => (r.ok ? (r.json() as Promise<ConsoleConfig>) : { tileUrl: null, tileAttribution: null }),
      () => ({ tileUrl: null, tileAttribution: null }),
    ),
    apiGet<Boundaries>('/api/v1/map/boundaries?level=country'),
    apiGet<Boundaries>('/api/v1/map/boundaries?level=province&region=CN'),
  ]);
  return { countries, provinces, tileUrl: config.tileUrl, tileAttribution: config.tileAttribution };
}

export function MapPage({ onSessionLost }: { onSessionLost: () => void }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [base, setBase] = useState<BaseMapInput | null>(null);
  const [baseError, setBaseError] = useState<string | null>(null);
  const [view, setView] = useState<MapView | null>(null);
  const [filters, setFilters] = useState<MapFilters>(NO_FILTERS);
  const [features, setFeatures] = useState<MapFeature[]>([]);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [refreshTick, setRefreshTick] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [panelTick, setPanelTick] = useState(0);
  const [unlocated, setUnlocated] = useState<UnlocatedCustomer[]>([]);
  const [unlocatedCursor, setUnlocatedCursor] = useState<string | null>(null);
  const initial = useMemo(initialView, []);
  const viewRef = useRef(view);
  viewRef.current = view;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const featuresRef = useRef(features);
  featuresRef.current = features;
  const liveRefresh = useRef<number | undefined>(undefined);
  const [listed, setListed] = useState<{ items: MapListItem[]; cursor: string | null } | null>(null);
  const [provinces, setProvinces] = useState<RegionRollup[]>([]);
  const [metric, setMetric] = useState<ChoroplethMetric>('off');
  const [level, setLevel] = useState<ChoroplethLevel>('province');
  const [choropleth, setChoropleth] = useState<Choropleth | null>(null);
  const clustered = features.some((f) => f.properties.cluster === true);
  const listQuery = view ? mapListQuery(view, filters) : undefined;

  useEffect(() => {
    loadBase().then(setBase, (err: unknown) =>
      setBaseError(err instanceof Error ? err.message : String(err)),
    );
  }, []);

  // The pins and groups of the view: debounced, and a newer view aborts the request of an older one.
  useEffect(() => {
    if (!view) return;
    const query = mapCustomersQuery(view, filters);
    if (query === undefined) {
      setFeatures([]);
      return;
    }
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      setLoading(true);
      apiGet<MapCustomers>(`/api/v1/map/customers?${query}`, abort.signal).then(
        (body) => {
          setFeatures(body.features);
          setLoadError(null);
          setLoading(false);
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          setLoadError(err instanceof Error ? err.message : String(err));
          setLoading(false);
        },
      );
    }, VIEW_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [view, filters, refreshTick]);

  // The provinces with customers, for the region filter.
  useEffect(() => {
    apiGet<RegionRollups>('/api/v1/map/regions?level=province').then(
      (r) => setProvinces([...r.regions].sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined,
    );
  }, []);

  // The choropleth: the level's boundaries joined to its roll-ups, asked again on live refreshes.
  useEffect(() => {
    if (metric === 'off' || !base) {
      setChoropleth(null);
      return;
    }
    const abort = new AbortController();
    Promise.all([
      level === 'province' && base.provinces
        ? Promise.resolve(base.provinces)
        : apiGet<Boundaries>(`/api/v1/map/boundaries?level=${level}&region=CN`, abort.signal),
      apiGet<RegionRollups>(`/api/v1/map/regions?level=${level}&country=CN`, abort.signal),
    ]).then(
      ([boundaries, rollups]) =>
        setChoropleth(buildChoropleth(boundaries, rollups.regions, metric, CHOROPLETH_CURRENCY)),
      (err: unknown) => {
        if (!isAbort(err)) setLoadError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => abort.abort();
  }, [metric, level, base, refreshTick]);

  // Some of the view is grouped: list its customers from the API, a page at a time (debounced
  // like the view; a newer one aborts the older).
  useEffect(() => {
    if (!clustered || listQuery === undefined) {
      setListed(null);
      return;
    }
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      apiGet<MapList>(`/api/v1/map/list?${listQuery}`, abort.signal).then(
        (page) => setListed({ items: page.items, cursor: page.nextCursor }),
        (err: unknown) => {
          if (!isAbort(err)) setLoadError(err instanceof Error ? err.message : String(err));
        },
      );
    }, VIEW_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [clustered, listQuery, refreshTick]);

  const moreListed = useCallback(() => {
    if (!listed?.cursor || listQuery === undefined) return;
    const cursor = listed.cursor;
    apiGet<MapList>(`/api/v1/map/list?${listQuery}&cursor=${encodeURIComponent(cursor)}`).then(
      (page) =>
        setListed((held) =>
          held && held.cursor === cursor
            ? { items: [...held.items, ...page.items], cursor: page.nextCursor }
            : held,
        ),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  }, [listed, listQuery]);

  const loadUnlocated = useCallback((cursor: string | null) => {
    const q = new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
    apiGet<UnlocatedPage>(`/api/v1/map/unlocated?${q.toString()}`).then(
      (page) => {
        setUnlocated((held) => (cursor ? [...held, ...page.items] : page.items));
        setUnlocatedCursor(page.nextCursor);
      },
      () => undefined,
    );
  }, []);
  useEffect(() => loadUnlocated(null), [loadUnlocated]);

  // Throttled, not debounced: under a steady stream of changes (100 payments a second) a debounce
  // would put the refresh off for ever.
  const refreshSoon = useCallback(() => {
    if (liveRefresh.current !== undefined) return;
    liveRefresh.current = window.setTimeout(() => {
      liveRefresh.current = undefined;
      setRefreshTick((n) => n + 1);
    }, LIVE_REFRESH_MS);
  }, []);
  useEffect(() => () => window.clearTimeout(liveRefresh.current), []);

  /** A pin of the view is recoloured at once; anything that changes groups or filters asks for the view again. */
  const onLiveChange = useCallback(
    (change: PinChange) => {
      const current = viewRef.current;
      const isIt = (f: MapFeature): boolean =>
        f.properties.cluster !== true && f.properties.customerId === change.customerId;
      const found = featuresRef.current.some(isIt);
      if (found) {
        setFeatures((held) =>
          held.map((f) => {
            if (!isIt(f)) return f;
            const properties: PinProperties = {
              ...(f.properties as PinProperties),
              status: change.status,
              color: change.color,
            };
            return { ...f, properties };
          }),
        );
      }
      setListed((held) =>
        held?.items.some((i) => i.customerId === change.customerId)
          ? {
              ...held,
              items: held.items.map((i) =>
                i.customerId === change.customerId ? { ...i, status: change.status, color: change.color } : i,
              ),
            }
          : held,
      );
      if (change.customerId === selectedRef.current) setPanelTick((n) => n + 1);
      if (!current || change.lat === null || change.lng === null) return;
      const belongs = shows(current, filtersRef.current, change.status, change.lng, change.lat);
      // A hidden pin that now shows, a shown one the filters now hide, or one inside a group.
      if (!found || !belongs) refreshSoon();
    },
    [refreshSoon],
  );
  const live = useLivePins(
    onLiveChange,
    () => {
      setRefreshTick((n) => n + 1);
      loadUnlocated(null);
    },
    onSessionLost,
  );

  if (baseError) {
    return (
      <p role="alert" className="error page-message">
        {t('map.loadFailed', { message: baseError })}
      </p>
    );
  }
  return (
    <div className="map-page">
      <div className="toolbar">
        <Filters value={filters} onChange={setFilters} regions={provinces} />
        <Legend />
        <ChoroplethControls
          metric={metric}
          level={level}
          currency={CHOROPLETH_CURRENCY}
          onMetric={setMetric}
          onLevel={setLevel}
          choropleth={choropleth}
        />
        <p
          className={`live live-${live.state}`}
          role="status"
          data-testid="live-state"
          data-state={live.state}
        >
          <span className="dot" aria-hidden="true" />
          {live.state === 'open' ? t('map.live') : t('map.liveOff')}
          {live.lastChange ? ` · ${t('map.lastChange', { time: formatTime(live.lastChange, locale) })}` : ''}
        </p>
      </div>
      <div className="map-area" id="map">
        {base ? (
          <MapCanvas
            base={base}
            initial={initial}
            features={features}
            selected={selected}
            onView={setView}
            onSelect={setSelected}
            choropleth={choropleth}
          />
        ) : (
          <p className="page-message">{t('app.loading')}</p>
        )}
        <p className="map-status" aria-live="polite">
          {loading ? t('map.updating') : ''}
          {loadError ? t('map.loadFailed', { message: loadError }) : ''}
        </p>
      </div>
      <SideList
        features={features}
        listed={
          listed && clustered
            ? { items: listed.items, more: listed.cursor !== null, onMore: moreListed }
            : null
        }
        unlocated={unlocated}
        unlocatedMore={unlocatedCursor !== null}
        onMoreUnlocated={() => loadUnlocated(unlocatedCursor)}
        selected={selected}
        onSelect={setSelected}
      />
      {selected ? (
        <CustomerPanel customerId={selected} refresh={panelTick} onClose={() => setSelected(null)} />
      ) : null}
    </div>
  );
}
