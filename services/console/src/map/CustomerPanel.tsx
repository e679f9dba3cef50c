import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, isAbort } from '../api/http';
import type { Customer, Invoice, InvoicePage } from '../api/types';
import { formatDate, formatMoney, localeOf } from '../format';

type Loaded = { customer: Customer; invoices: Invoice[] };
const OPEN = new Set<Invoice['status']>(['open', 'partially_paid', 'overdue']);

/**
 * The customer behind a pin: status, balances per currency and open invoices, read fresh from the
 * customers and invoicing APIs (asked again when a live change for this customer arrives).
 */
export function CustomerPanel({
  customerId,
  refresh,
  onClose,
}: {
  customerId: string;
  refresh: number;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    Promise.all([
      apiGet<Customer>(`/api/v1/customers/${encodeURIComponent(customerId)}`, abort.signal),
      apiGet<InvoicePage>(
        `/api/v1/invoices?customerId=${encodeURIComponent(customerId)}&limit=100`,
        abort.signal,
      ),
    ]).then(
      ([customer, page]) => setData({ customer, invoices: page.items.filter((i) => OPEN.has(i.status)) }),
      (err: unknown) => {
        if (!isAbort(err)) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => abort.abort();
  }, [customerId, refresh]);

  useEffect(() => {
    heading.current?.focus();
  }, [customerId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const customer = data?.customer.id === customerId ? data.customer : null;
  return (
    <aside className="panel" aria-labelledby="panel-title" data-testid="customer-panel">
      <div className="panel-head">
        <h2 id="panel-title" ref={heading} tabIndex={-1}>
          {customer?.name ?? t('app.loading')}
        </h2>
        <button type="button" className="close" onClick={onClose} aria-label={t('panel.close')}>
          ×
        </button>
      </div>
      {error ? (
        <p role="alert" className="error">
          {t('app.error', { message: error })}
        </p>
      ) : null}
      {customer && data ? (
        <>
          <dl className="facts">
            <dt>{t('panel.status')}</dt>
            <dd data-testid="panel-status" data-status={customer.status}>
              <span className={`swatch swatch-${customer.status}`} aria-hidden="true" />
              {t(`status.${customer.status}`)}
            </dd>
            <dt>{t('panel.tier')}</dt>
            <dd>{t(`tier.${customer.tier}`)}</dd>
            <dt>{t('panel.creditRating')}</dt>
            <dd>{customer.creditRating ?? t('panel.none')}</dd>
            <dt>{t('panel.creditLimit')}</dt>
            <dd>{customer.creditLimit ? formatMoney(customer.creditLimit, locale) : t('panel.none')}</dd>
          </dl>
          <h3>{t('panel.balance')}</h3>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('panel.currency')}</th>
                <th scope="col">{t('panel.outstanding')}</th>
                <th scope="col">{t('panel.overdue')}</th>
                <th scope="col">{t('panel.unappliedCredit')}</th>
              </tr>
            </thead>
            <tbody>
              {customer.balances.map((b) => (
                <tr key={b.currency}>
                  <th scope="row">{b.currency}</th>
                  <td>{formatMoney(b.outstanding, locale)}</td>
                  <td>{formatMoney(b.overdue, locale)}</td>
                  <td>{formatMoney(b.unappliedCredit, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('panel.openInvoices')}</h3>
          {data.invoices.length === 0 ? (
            <p className="muted">{t('panel.noOpenInvoices')}</p>
          ) : (
            <table className="table" data-testid="open-invoices">
              <thead>
                <tr>
                  <th scope="col">{t('panel.number')}</th>
                  <th scope="col">{t('panel.dueDate')}</th>
                  <th scope="col">{t('panel.openAmount')}</th>
                  <th scope="col">{t('panel.status')}</th>
                </tr>
              </thead>
              <tbody>
                {data.invoices.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{i.number}</th>
                    <td>{formatDate(i.dueDate, locale)}</td>
                    <td>{formatMoney(i.openAmount, locale)}</td>
                    <td>{t(`panel.invoiceStatus.${i.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </aside>
  );
}
