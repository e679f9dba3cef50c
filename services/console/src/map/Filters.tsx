import { useTranslation } from 'react-i18next';
import { PIN_STATUSES, type PinStatus, type RegionRollup, type Tier } from '../api/types';
import type { MapFilters } from './view';

export function Filters({
  value,
  onChange,
  regions,
}: {
  value: MapFilters;
  onChange: (next: MapFilters) => void;
  /** The provinces with customers (roll-ups), for the region filter. */
  regions: readonly RegionRollup[];
}) {
  const { t } = useTranslation();
  const toggle = (status: PinStatus, on: boolean): void => {
    const statuses = PIN_STATUSES.filter((s) => (s === status ? on : value.statuses.includes(s)));
    onChange({ ...value, statuses });
  };
  return (
    <form className="filters" aria-label={t('filters.title')} onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>{t('filters.status')}</legend>
        {PIN_STATUSES.map((status) => (
          <label key={status} className={`check check-${status}`}>
            <input
              type="checkbox"
              name="status"
              value={status}
              checked={value.statuses.includes(status)}
              onChange={(e) => toggle(status, e.target.checked)}
            />
            <span className={`swatch swatch-${status}`} aria-hidden="true" />
            {t(`status.${status}`)}
          </label>
        ))}
      </fieldset>
      <label className="field">
        {t('filters.tier')}
        <select
          value={value.tier}
          onChange={(e) => onChange({ ...value, tier: e.target.value as Tier | '' })}
        >
          <option value="">{t('tier.all')}</option>
          <option value="standard">{t('tier.standard')}</option>
          <option value="vip">{t('tier.vip')}</option>
        </select>
      </label>
      <label className="field">
        {t('filters.minOverdue')}
        <input
          type="number"
          inputMode="numeric"
          min={0}
          max={36500}
          step={1}
          value={value.minOverdue}
          onChange={(e) => onChange({ ...value, minOverdue: e.target.value })}
        />
      </label>
      <label className="field">
        {t('filters.grade')}
        <input
          type="text"
          name="grade"
          maxLength={100}
          size={6}
          placeholder={t('filters.gradeHint')}
          value={value.grade}
          onChange={(e) => onChange({ ...value, grade: e.target.value })}
        />
      </label>
      <label className="field">
        {t('filters.region')}
        <select
          name="region"
          value={value.region}
          onChange={(e) => onChange({ ...value, region: e.target.value })}
        >
          <option value="">{t('filters.anyRegion')}</option>
          {regions
            .filter((r) => r.regionCode !== null)
            .map((r) => (
              <option key={r.key} value={r.key}>
                {r.name}
              </option>
            ))}
        </select>
      </label>
      <label className="field">
        {t('filters.source')}
        <input
          type="text"
          name="source"
          maxLength={200}
          size={8}
          placeholder={t('filters.sourceHint')}
          value={value.source}
          onChange={(e) => onChange({ ...value, source: e.target.value })}
        />
      </label>
    </form>
  );
}

export function Legend() {
  const { t } = useTranslation();
  return (
    <section className="legend" aria-label={t('legend.title')}>
      <ul>
        {PIN_STATUSES.map((status) => (
          <li key={status}>
            <span className={`swatch swatch-${status}`} aria-hidden="true" />
            {t(`status.${status}`)}
          </li>
        ))}
        <li>
          <span className="legend-cluster" aria-hidden="true">
            <span className="count count-overdue">2</span>
            <span className="count count-unpaid">5</span>
            <span className="count count-paid">9</span>
          </span>
          {t('legend.cluster')}
        </li>
      </ul>
    </section>
  );
}
