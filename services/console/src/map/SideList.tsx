import { useTranslation } from 'react-i18next';
import type {
  ClusterProperties,
  MapFeature,
  MapListItem,
  PinProperties,
  UnlocatedCustomer,
} from '../api/types';
import { formatMoney, formatNumber, localeOf } from '../format';

const ORDER = { overdue: 0, unpaid: 1, paid: 2 } as const;

/**
 * The customers of the view: the pins drawn, or, when some of the view is grouped, a page at a time
 * of GET /api/v1/map/list for the same box and filters (groups' customers included), and those the
 * map cannot place.
 */
export function SideList(props: {
  features: readonly MapFeature[];
  /** The view's customers listed by the API: set when the view has groups. */
  listed: { items: readonly MapListItem[]; more: boolean; onMore: () => void } | null;
  unlocated: readonly UnlocatedCustomer[];
  unlocatedMore: boolean;
  onMoreUnlocated: () => void;
  selected: string | null;
  onSelect: (customerId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const drawn = props.features
    .filter((f): f is MapFeature<PinProperties> => f.properties.cluster !== true)
    .map((f) => f.properties);
  const inClusters = props.features
    .filter((f): f is MapFeature<ClusterProperties> => f.properties.cluster === true)
    .reduce((sum, f) => sum + f.properties.point_count, 0);
  const total = drawn.length + inClusters;
  // Listed by the API: in its order, page after page; drawn pins: the most pressing first.
  const pins: readonly PinProperties[] = props.listed
    ? props.listed.items
    : drawn.sort(
        (a, b) =>
          ORDER[a.status] - ORDER[b.status] || b.daysOverdue - a.daysOverdue || a.name.localeCompare(b.name),
      );
  return (
    <div className="side-list">
      <section aria-labelledby="in-view-title">
        <h2 id="in-view-title">{t('list.inView', { count: formatNumber(total, locale) })}</h2>
        {total === 0 ? <p className="muted">{t('list.none')}</p> : null}
        <ul className="customers" data-testid="in-view">
          {pins.map((p) => (
            <li key={p.customerId}>
              <button
                type="button"
                className="customer"
                data-customer-id={p.customerId}
                data-status={p.status}
                aria-pressed={props.selected === p.customerId}
                onClick={() => props.onSelect(p.customerId)}
              >
                <span className={`swatch swatch-${p.status}`} aria-hidden="true" />
                <span className="name">{p.name}</span>
                <span className="sr-only">{t(`status.${p.status}`)}</span>
                <span className="detail">
                  {p.status === 'overdue' && p.daysOverdue > 0
                    ? t('list.daysOverdue', { count: p.daysOverdue })
                    : ''}
                  {p.outstanding ? ` ${formatMoney(p.outstanding, locale)}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {props.listed?.more ? (
          <button type="button" className="link" data-testid="in-view-more" onClick={props.listed.onMore}>
            {t('list.moreInView', { shown: formatNumber(pins.length, locale) })}
          </button>
        ) : null}
        {inClusters > 0 && !props.listed ? <p className="muted">{t('app.loading')}</p> : null}
      </section>
      <section aria-labelledby="unlocated-title">
        <h2 id="unlocated-title">
          {t('list.unlocated', {
            count: formatNumber(props.unlocated.length, locale) + (props.unlocatedMore ? '+' : ''),
          })}
        </h2>
        {props.unlocated.length === 0 ? <p className="muted">{t('list.unlocatedNone')}</p> : null}
        <ul className="customers" data-testid="unlocated">
          {props.unlocated.map((u) => (
            <li key={u.customerId}>
              <button
                type="button"
                className="customer"
                data-customer-id={u.customerId}
                aria-pressed={props.selected === u.customerId}
                onClick={() => props.onSelect(u.customerId)}
              >
                <span className="name">{u.name}</span>
                <span className="detail">
                  {t(`list.reason.${u.reason}`, { defaultValue: u.reason })}
                  {u.city || u.region ? ` · ${[u.region, u.city].filter(Boolean).join(' ')}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {props.unlocatedMore ? (
          <button type="button" className="link" onClick={props.onMoreUnlocated}>
            {t('list.more')}
          </button>
        ) : null}
      </section>
    </div>
  );
}
