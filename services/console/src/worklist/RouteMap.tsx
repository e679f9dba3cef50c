import * as maplibregl from 'maplibre-gl';
import type { Map as MapLibreMap, Marker } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlannedRoute } from '../api/types';
import { baseStyle, type BaseMapInput } from '../map/base-style';

// The worker is a hashed file of our own origin (CSP worker-src 'self'), not a blob.
maplibregl.setWorkerUrl(workerUrl);

/**
 * The planned route on the offline base map: the path from the start through the stops (and back),
 * a numbered marker per stop, fitted to the route. Redrawn when the route changes.
 */
export function RouteMap({ base, route }: { base: BaseMapInput; route: PlannedRoute }) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const markers = useRef<Marker[]>([]);

  useEffect(() => {
    if (!container.current) return;
    const m = new maplibregl.Map({
      container: container.current,
      style: baseStyle(base),
      center: [route.start.lng, route.start.lat],
      zoom: 5,
      attributionControl: { compact: true },
      renderWorldCopies: false,
      // Printing copies the canvas: keep its pixels.
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    map.current = m;
    return () => {
      m.remove();
      map.current = null;
    };
    // The map is made once; the route effect below draws on it.
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const path: [number, number][] = [
      [route.start.lng, route.start.lat],
      ...route.stops.map((s): [number, number] => [s.lng, s.lat]),
      ...(route.end ? [[route.end.lng, route.end.lat] as [number, number]] : []),
    ];
    const draw = (): void => {
      const data = {
        type: 'Feature' as const,
        properties: {},
        geometry: { type: 'LineString' as const, coordinates: path },
      };
      const source = m.getSource<maplibregl.GeoJSONSource>('route');
      if (source) void source.setData(data);
      else {
        m.addSource('route', { type: 'geojson', data });
        m.addLayer({
          id: 'route',
          type: 'line',
          source: 'route',
          paint: { 'line-color': '#0b57d0', 'line-width': 3 },
        });
      }
      markers.current.forEach((k) => k.remove());
      markers.current = route.stops.map((s) => {
        const element = document.createElement('div');
        element.className = `stop stop-${s.status}`;
        element.textContent = String(s.sequence);
        element.title = `${s.sequence}. ${s.name}`;
        element.dataset.customerId = s.customerId;
        return new maplibregl.Marker({ element }).setLngLat([s.lng, s.lat]).addTo(m);
      });
      const bounds = path.reduce(
        (b, p) => b.extend(p),
        new maplibregl.LngLatBounds(path[0] ?? [0, 0], path[0] ?? [0, 0]),
      );
      m.fitBounds(bounds, { padding: 40, maxZoom: 13, duration: 0 });
    };
    if (m.isStyleLoaded()) draw();
    else m.once('load', draw);
  }, [route]);

  return (
    <div
      ref={container}
      className="route-map"
      role="region"
      aria-label={t('worklist.mapLabel')}
      data-testid="route-map"
      data-stops={route.stops.length}
    />
  );
}
