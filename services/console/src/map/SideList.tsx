import { useTranslation } from 'react-i18next';
import type { ClusterProperties, MapFeature, PinProperties, UnlocatedCustomer } from '../api/types';
import { formatMoney, formatNumber, localeOf } from '../format';

const ORDER = { overdue: 0, unpaid: 1, paid: 2 } as const;

export function SideList(props: {
  features: readonly MapFeature[];
  unlocated: readonly UnlocatedCustomer[];
  unlocatedMore: boolean;
  onMoreUnlocated: () => void;
  selected: string | null;
  onSelect: (customerId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const pins = props.features
    .filter((f): f is MapFeature<PinProperties> => f.properties.cluster !== true)
    .map((f) => f.properties)
    .sort(
      (a, b) =>
        ORDER[a.status] - ORDER[b.status] || b.daysOverdue - a.daysOverdue || a.name.localeCompare(b.name),
    );
  const inClusters = props.features
    .filter((f): f is MapFeature<ClusterProperties> => f.properties.cluster === true)
    .reduce((sum, f) => sum + f.properties.point_count, 0);
  return (
    <div className="side-list">
      <section aria-labelledby="in-view-title">
        <h2 id="in-view-title">{t('list.inView', { count: pins.length })}</h2>
        {pins.length === 0 && inClusters === 0 ? <p className="muted">{t('list.none')}</p> : null}
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
        {inClusters > 0 ? <p className="muted">{t('list.inClusters', { count: inClusters })}</p> : null}
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
