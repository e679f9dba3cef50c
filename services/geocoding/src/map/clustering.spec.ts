import { abbreviated, clusterPins, gridClusters, type ClusterFeature } from './clustering';
import type { PinStatus } from './customer-pin.entity';
import { WORLD } from './map-query';
import { dominantStatus, pinFeature, type PinColors, type PinFeature } from './pin-features';

const colors: PinColors = { paid: '#00ff00', unpaid: '#ff0000', overdue: '#ffff00' };
const options = { radius: 60, maxZoom: 16, colors };

let n = 0;
function pin(lng: number, lat: number, status: PinStatus, owes?: [string, bigint, bigint]): PinFeature {
  n += 1;
  return pinFeature(
    {
      customerId: `c${n}`,
      name: `Customer ${n}`,
      lat,
      lng,
      precision: 'city',
      source: 'geonames',
      status,
      tier: 'standard',
      creditGrade: null,
      daysOverdue: 0,
      balances: owes ? [{ currency: owes[0], outstanding: owes[1], overdue: owes[2] }] : [],
    },
    colors,
  );
}

const isCluster = (f: PinFeature | ClusterFeature): f is ClusterFeature =>
  (f.properties as { cluster?: boolean }).cluster === true;

describe('clusterPins', () => {
  // Three customers in Shanghai (a few km apart), one in Berlin.
  const shanghai = [
    pin(121.45, 31.22, 'overdue', ['CNY', 150000n, 50000n]),
    pin(121.47, 31.23, 'overdue', ['CNY', 2550n, 0n]),
    pin(121.5, 31.24, 'paid'),
  ];
  const berlin = pin(13.4, 52.52, 'unpaid', ['EUR', 1000n, 0n]);
  const all = [...shanghai, berlin];

  it('groups nearby pins with counts per status, the dominant colour and sums per currency', () => {
    const features = clusterPins(all, WORLD, 3, options);
    const clusters = features.filter(isCluster);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.properties).toMatchObject({
      cluster: true,
      point_count: 3,
      counts: { paid: 1, unpaid: 0, overdue: 2 },
      status: 'overdue',
      color: '#ffff00',
      outstanding: [{ amount: '1525.50', currency: 'CNY' }],
      overdue: [{ amount: '500.00', currency: 'CNY' }],
    });
    const [lng, lat] = clusters[0]?.geometry.coordinates ?? [];
    expect(lng).toBeCloseTo(121.47, 1);
    expect(lat).toBeCloseTo(31.23, 1);
    // Berlin is alone: it stays a plain pin with its own properties.
    const single = features.find((f) => !isCluster(f));
    expect(single?.properties).toEqual(berlin.properties);
  });

  it('keeps currencies apart when a cluster spans several', () => {
    const mixed = [pin(0, 0, 'unpaid', ['USD', 100n, 0n]), pin(0.01, 0.01, 'unpaid', ['EUR', 200n, 100n])];
    const [cluster] = clusterPins(mixed, WORLD, 2, options).filter(isCluster);
    expect(cluster?.properties.outstanding).toEqual([
      { amount: '2.00', currency: 'EUR' },
      { amount: '1.00', currency: 'USD' },
    ]);
    expect(cluster?.properties.overdue).toEqual([
      { amount: '1.00', currency: 'EUR' },
      { amount: '0.00', currency: 'USD' },
    ]);
  });

  it('counts the members of nested clusters once each', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      pin(100 + (i % 8) * 0.05, 30 + Math.floor(i / 8) * 0.05, i < 10 ? 'paid' : 'unpaid'),
    );
    const [cluster] = clusterPins(many, WORLD, 0, options).filter(isCluster);
    expect(cluster?.properties.point_count).toBe(40);
    expect(cluster?.properties.counts).toEqual({ paid: 10, unpaid: 30, overdue: 0 });
    expect(cluster?.properties.color).toBe('#ff0000');
  });

  it('answers an empty map with no features', () => {
    expect(clusterPins([], WORLD, 3, options)).toEqual([]);
  });

  it('separates the pins again when zoomed in far enough', () => {
    const features = clusterPins(shanghai, WORLD, 16, options);
    expect(features.filter(isCluster)).toHaveLength(0);
    expect(features).toHaveLength(3);
  });

  it('returns only what lies in the box, including boxes across the antimeridian', () => {
    const inBox = clusterPins(all, [100, 20, 130, 40], 3, options);
    expect(inBox).toHaveLength(1);
    expect(clusterPins(all, [0, 40, 20, 60], 3, options)).toEqual([berlin]);
    const fiji = pin(179.9, -17, 'paid');
    const samoa = pin(-172, -13.8, 'unpaid');
    expect(clusterPins([fiji, samoa, berlin], [170, -30, -160, 0], 10, options)).toHaveLength(2);
  });
});

describe('dominantStatus', () => {
  it('is the most frequent status, ties going to the more pressing one', () => {
    expect(dominantStatus({ paid: 3, unpaid: 1, overdue: 1 })).toBe('paid');
    expect(dominantStatus({ paid: 2, unpaid: 2, overdue: 0 })).toBe('unpaid');
    expect(dominantStatus({ paid: 1, unpaid: 1, overdue: 1 })).toBe('overdue');
  });
});

describe('pinFeature', () => {
  it('shows outstanding and overdue for a one-currency customer, and only balances for several', () => {
    expect(pin(0, 0, 'unpaid', ['JPY', 1200n, 0n]).properties).toMatchObject({
      color: '#ff0000',
      outstanding: { amount: '1200', currency: 'JPY' },
      overdue: { amount: '0', currency: 'JPY' },
    });
    const several = pinFeature(
      {
        customerId: 'c',
        name: 'c',
        lat: 1,
        lng: 2,
        precision: 'country',
        tier: 'vip',
        creditGrade: 'B',
        daysOverdue: 12,
        source: 'world-countries',
        status: 'overdue',
        balances: [
          { currency: 'CNY', outstanding: 100n, overdue: 100n },
          { currency: 'USD', outstanding: 5n, overdue: 0n },
        ],
      },
      colors,
    );
    expect(several.geometry.coordinates).toEqual([2, 1]);
    expect(several.properties).toMatchObject({ outstanding: null, overdue: null });
    expect(several.properties.balances).toHaveLength(2);
  });
});

describe('gridClusters', () => {
  it('makes one cluster per cell with its counts, dominant colour and sums per currency', () => {
    const [cluster] = gridClusters(
      [
        {
          cx: 2,
          cy: 1,
          paid: 3,
          unpaid: 3,
          overdue: 0,
          lat: 30,
          lng: 104,
          pinNo: null,
          sums: [
            { currency: 'CNY', outstanding: 12345n, overdue: 0n },
            { currency: 'JPY', outstanding: 500n, overdue: 500n },
          ],
        },
      ],
      3,
      colors,
    );
    expect(cluster).toEqual({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [104, 30] },
      properties: {
        cluster: true,
        clusterId: 1 * 8 + 2,
        point_count: 6,
        point_count_abbreviated: 6,
        counts: { paid: 3, unpaid: 3, overdue: 0 },
        status: 'unpaid',
        color: '#ff0000',
        outstanding: [
          { amount: '123.45', currency: 'CNY' },
          { amount: '500', currency: 'JPY' },
        ],
        overdue: [
          { amount: '0.00', currency: 'CNY' },
          { amount: '500', currency: 'JPY' },
        ],
      },
    });
  });

  it('abbreviates counts as supercluster does', () => {
    expect([abbreviated(999), abbreviated(1234), abbreviated(15_600)]).toEqual([999, '1.2k', '16k']);
  });
});
