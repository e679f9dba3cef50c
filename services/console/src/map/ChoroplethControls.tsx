import { useTranslation } from 'react-i18next';
import { formatNumber, localeOf } from '../format';
import type { Choropleth, ChoroplethLevel, ChoroplethMetric } from './choropleth';

/** What the regions are coloured by, at which level, and the legend of the colours. */
export function ChoroplethControls(props: {
  metric: ChoroplethMetric;
  level: ChoroplethLevel;
  currency: string;
  onMetric: (metric: ChoroplethMetric) => void;
  onLevel: (level: ChoroplethLevel) => void;
  choropleth: Choropleth | null;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const share = new Intl.NumberFormat(locale, { style: 'percent' });
  const label = (v: number): string =>
    props.choropleth?.metric === 'overdueShare' ? share.format(v) : formatNumber(v, locale);
  return (
    <div className="choropleth">
      <label className="field">
        {t('choropleth.label')}
        <select
          data-testid="choropleth-metric"
          value={props.metric}
          onChange={(e) => props.onMetric(e.target.value as ChoroplethMetric)}
        >
          <option value="off">{t('choropleth.off')}</option>
          <option value="overdueShare">{t('choropleth.overdueShare')}</option>
          <option value="outstanding">{t('choropleth.outstanding', { currency: props.currency })}</option>
        </select>
      </label>
      {props.metric !== 'off' ? (
        <label className="field">
          {t('choropleth.level')}
          <select
            data-testid="choropleth-level"
            value={props.level}
            onChange={(e) => props.onLevel(e.target.value as ChoroplethLevel)}
          >
            <option value="province">{t('choropleth.province')}</option>
            <option value="city">{t('choropleth.city')}</option>
          </select>
        </label>
      ) : null}
      {props.choropleth ? (
        <section className="legend" aria-label={t('choropleth.legend')} data-testid="choropleth-legend">
          <ul>
            {props.choropleth.classes.map((c, i) => (
              <li key={c.min}>
                <span className={`square square-${i}`} aria-hidden="true" />
                {c.max === null ? `≥ ${label(c.min)}` : `${label(c.min)} – ${label(c.max)}`}
              </li>
            ))}
            <li>
              <span className="square square-none" aria-hidden="true" />
              {t('choropleth.noData')}
            </li>
          </ul>
        </section>
      ) : null}
    </div>
  );
}
