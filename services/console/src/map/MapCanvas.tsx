import * as maplibregl from 'maplibre-gl';
import type { Map as MapLibreMap, Marker } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClusterProperties, MapFeature, PinProperties, PinStatus } from '../api/types';
import { baseStyle, type BaseMapInput } from './base-style';
import type { Choropleth } from './choropleth';
import type { MapView } from './view';

// The worker is a hashed file of our own origin (CSP worker-src 'self'), not a blob.
maplibregl.setWorkerUrl(workerUrl);

export interface MapCanvasProps {
  base: BaseMapInput;
  initial: { center: [number, number]; zoom: number };
  features: readonly MapFeature[];
  selected: string | null;
  onView: (view: MapView) => void;
  onSelect: (customerId: string) => void;
  /** Regions coloured under the pins; null: none. */
  choropleth?: Choropleth | null;
}

/** Black or white, whichever reads better on the colour (WCAG relative luminance). */
export function textOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#111111' : '#ffffff';
}

const isCluster = (f: MapFeature): f is MapFeature<ClusterProperties> => f.properties.cluster === true;

function keyOf(f: MapFeature): string {
  return isCluster(f)
    ? `c:${f.properties.clusterId}:${f.geometry.coordinates.join(',')}:${f.properties.point_count}`
    : `p:${(f.properties as PinProperties).customerId}`;
}

/**
 * maplibre-gl with the base style and the pins and groups of the view as HTML markers: buttons a
 * keyboard reaches with Tab and a screen reader names ("上海明远贸易有限公司：已逾期"), which a
 * canvas layer would not give. Markers are reused across views by customer or group, so a live
 * status change only recolours one button.
 */
export function MapCanvas({
  base,
  initial,
  features,
  selected,
  onView,
  onSelect,
  choropleth = null,
}: MapCanvasProps) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const markers = useRef(new Map<string, { marker: Marker; element: HTMLButtonElement }>());
  const [loaded, setLoaded] = useState(false);
  const handlers = useRef({ onView, onSelect });
  handlers.current = { onView, onSelect };

  useEffect(() => {
    if (!container.current) return;
    const m = new maplibregl.Map({
      container: container.current,
      style: baseStyle(base),
      center: initial.center,
      zoom: initial.zoom,
      attributionControl: { compact: true },
      renderWorldCopies: false,
      maxZoom: 18,
    });
    m.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    const report = (): void => {
      const b = m.getBounds();
      handlers.current.onView({
        bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        zoom: m.getZoom(),
      });
    };
    m.on('load', () => {
      setLoaded(true);
      report();
    });
    m.on('moveend', report);
    map.current = m;
    const placed = markers.current;
    return () => {
      placed.forEach(({ marker }) => marker.remove());
      placed.clear();
      m.remove();
      map.current = null;
    };
    // The map is made once: base and initial are read at mount only.
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const wanted = new Set<string>();
    for (const feature of features) {
      const key = keyOf(feature);
      wanted.add(key);
      let placed = markers.current.get(key);
      if (!placed) {
        // maplibre positions the marker's own element (its classes, absolute); the button lives inside.
        const holder = document.createElement('div');
        const element = document.createElement('button');
        element.type = 'button';
        holder.append(element);
        const marker = new maplibregl.Marker({ element: holder })
          .setLngLat(feature.geometry.coordinates)
          .addTo(m);
        placed = { marker, element };
        markers.current.set(key, placed);
      } else {
        placed.marker.setLngLat(feature.geometry.coordinates);
      }
      if (isCluster(feature)) drawCluster(placed.element, feature, t, m);
      else
        drawPin(placed.element, feature as MapFeature<PinProperties>, t, selected, handlers.current.onSelect);
    }
    for (const [key, { marker }] of markers.current) {
      if (!wanted.has(key)) {
        marker.remove();
        markers.current.delete(key);
      }
    }
  }, [features, selected, t]);

  // The choropleth: a fill layer under the boundary lines (and under the HTML pins), replaced in place.
  useEffect(() => {
    const m = map.current;
    if (!m || !loaded) return;
    const source = m.getSource<maplibregl.GeoJSONSource>('choropleth');
    if (!choropleth) {
      if (m.getLayer('choropleth')) m.removeLayer('choropleth');
      if (source) m.removeSource('choropleth');
      return;
    }
    if (source) {
      void source.setData(choropleth.data as Parameters<typeof source.setData>[0]);
    } else {
      m.addSource('choropleth', { type: 'geojson', data: choropleth.data as never });
    }
    const colour = [
      'match',
      ['get', 'bucket'],
      ...choropleth.classes.flatMap((c, i) => [i, c.colour]),
      'rgba(0,0,0,0)',
    ] as unknown as maplibregl.ExpressionSpecification;
    if (m.getLayer('choropleth')) {
      m.setPaintProperty('choropleth', 'fill-color', colour);
    } else {
      m.addLayer(
        {
          id: 'choropleth',
          type: 'fill',
          source: 'choropleth',
          filter: ['has', 'bucket'],
          paint: { 'fill-color': colour, 'fill-opacity': 0.7 },
        },
        'country-lines',
      );
    }
  }, [choropleth, loaded]);

  return (
    <div
      ref={container}
      className="map-canvas"
      role="region"
      aria-label={t('map.region')}
      data-choropleth={choropleth ? choropleth.metric : 'off'}
    />
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function drawPin(
  element: HTMLButtonElement,
  feature: MapFeature<PinProperties>,
  t: T,
  selected: string | null,
  onSelect: (customerId: string) => void,
): void {
  const p = feature.properties;
  element.className = `pin pin-${p.status}${selected === p.customerId ? ' pin-selected' : ''}`;
  element.dataset.customerId = p.customerId;
  element.dataset.status = p.status;
  element.style.setProperty('--pin-colour', p.color);
  element.setAttribute('aria-label', t('map.pin', { name: p.name, status: t(`status.${p.status}`) }));
  element.setAttribute('aria-pressed', String(selected === p.customerId));
  element.title = `${p.name} · ${t(`status.${p.status}`)}`;
  element.onclick = (event) => {
    event.stopPropagation();
    onSelect(p.customerId);
  };
}

function drawCluster(
  element: HTMLButtonElement,
  feature: MapFeature<ClusterProperties>,
  t: T,
  m: MapLibreMap,
): void {
  const p = feature.properties;
  element.className = 'cluster';
  element.dataset.status = p.status;
  const shown = (['overdue', 'unpaid', 'paid'] as PinStatus[]).filter((s) => p.counts[s] > 0);
  // The name starts with the counts the button shows, so speech input can say what is seen.
  const label = `${shown.map((s) => p.counts[s]).join(' ')} · ${t('map.cluster', { count: p.point_count, ...p.counts })}`;
  element.setAttribute('aria-label', label);
  element.title = label;
  element.replaceChildren(
    ...shown.flatMap((s, i) => {
      const span = document.createElement('span');
      span.className = `count count-${s}`;
      span.textContent = String(p.counts[s]);
      // Spaces between the counts: their visible text reads "2 5 9", as the name does.
      return i === 0 ? [span] : [document.createTextNode(' '), span];
    }),
  );
  element.onclick = (event) => {
    event.stopPropagation();
    m.easeTo({ center: feature.geometry.coordinates, zoom: Math.min(m.getZoom() + 2, 18) });
  };
}
