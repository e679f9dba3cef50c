import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, isAbort } from '../api/http';
import { PAYMENT_STATUSES, type Me, type Payment, type PaymentPage, type PaymentStatus } from '../api/types';
import { formatDay, formatMoney, formatNumber, formatPercent, localeOf } from '../format';
import { useCustomerNames } from './customer-names';
import { describeError } from './errors';
import { PaymentPanel } from './PaymentPanel';
import { StatementUpload, type ImportedStatement } from './StatementUpload';

const PAGE = 50;
/** The worklist's count reads one page this long; beyond it the tab says "200+". */
const COUNT_PAGE = 200;
/** After an upload, cash application turns the credits into payments within a second or so. */
const AWAIT_EVERY_MS = 700;
const AWAIT_TRIES = 20;

type Filter = PaymentStatus | 'all';
const FILTERS: readonly Filter[] = [...PAYMENT_STATUSES, 'all'];

/**
 * Cash application's worklist and the payments around it: payments by status (the ones waiting for
 * review first, with their count), a statement upload whose payments are listed as they appear, and a
 * panel per payment to decide it (review) or undo it (reverse, refund) as the signed-in user may.
 */
export function PaymentsPage({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [filter, setFilter] = useState<Filter>('needs_review');
  const [statement, setStatement] = useState<ImportedStatement | null>(null);
  const [items, setItems] = useState<Payment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [reviewCount, setReviewCount] = useState<{ count: number; more: boolean } | null>(null);
  const [selected, setSelected] = useState<Payment | null>(null);
  const [tick, setTick] = useState(0);
  const tries = useRef(0);
  const names = useCustomerNames([
    ...items.map((p) => p.customerId),
    ...(selected ? [selected.customerId] : []),
  ]);

  const query = useCallback(
    (after: string | null) =>
      `/api/v1/payments?${new URLSearchParams({
        ...(filter === 'all' ? {} : { status: filter }),
        ...(statement ? { statementId: statement.id } : {}),
        limit: String(PAGE),
        ...(after ? { cursor: after } : {}),
      }).toString()}`,
    [filter, statement],
  );

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    apiGet<PaymentPage>(query(null), abort.signal).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        setLoading(false);
        setError(null);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(describeError(err, t));
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [query, tick, t]);

  useEffect(() => {
    const abort = new AbortController();
    apiGet<PaymentPage>(`/api/v1/payments?status=needs_review&limit=${COUNT_PAGE}`, abort.signal).then(
      (page) => setReviewCount({ count: page.items.length, more: page.nextCursor !== null }),
      () => setReviewCount(null),
    );
    return () => abort.abort();
  }, [tick]);

  // A statement just uploaded: ask again until each of its new credits is a payment (or give up).
  const waitingFor =
    statement !== null &&
    filter === 'all' &&
    statement.candidates > items.length &&
    tries.current < AWAIT_TRIES;
  useEffect(() => {
    if (!waitingFor || loading) return;
    const timer = window.setTimeout(() => {
      tries.current += 1;
      setTick((n) => n + 1);
    }, AWAIT_EVERY_MS);
    return () => window.clearTimeout(timer);
  }, [waitingFor, loading, items]);

  const more = (): void => {
    apiGet<PaymentPage>(query(cursor)).then(
      (page) => {
        setItems((held) => [...held, ...page.items]);
        setCursor(page.nextCursor);
      },
      (err: unknown) => setError(describeError(err, t)),
    );
  };

  const imported = (result: ImportedStatement): void => {
    tries.current = 0;
    setStatement(result);
    setFilter('all');
    setSelected(null);
  };

  const changed = (payment: Payment): void => {
    setSelected(payment);
    setTick((n) => n + 1);
  };

  const filterLabel = (f: Filter): string => {
    if (f === 'all') return t('payments.all');
    const name = t(`payments.status.${f}`);
    if (f !== 'needs_review' || !reviewCount) return name;
    // The count first, as the button shows it (axe: label-content-name-mismatch).
    return t('payments.withCount', {
      name,
      count: reviewCount.count,
      shown: `${formatNumber(reviewCount.count, locale)}${reviewCount.more ? '+' : ''}`,
    });
  };

  return (
    <div className="payments-page">
      <section className="payments" aria-labelledby="payments-title">
        <h2 id="payments-title">{t('payments.title')}</h2>
        <p className="muted">{t('payments.intro')}</p>
        {me.permissions.includes('bank-statements:import') ? <StatementUpload onImported={imported} /> : null}
        <div className="payments-filters" role="group" aria-label={t('payments.filterBy')}>
          {FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              className="filter"
              aria-pressed={filter === f}
              data-testid={`payments-filter-${f}`}
              onClick={() => {
                setFilter(f);
                setSelected(null);
              }}
            >
              {filterLabel(f)}
            </button>
          ))}
        </div>
        {statement ? (
          <p className="statement-filter" data-testid="statement-filter">
            {t('payments.ofStatement', { id: statement.id.slice(0, 8) })}{' '}
            {waitingFor ? <span className="muted">{t('payments.applying')}</span> : null}{' '}
            <button type="button" className="link" onClick={() => setStatement(null)}>
              {t('payments.allStatements')}
            </button>
          </p>
        ) : null}
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        {loading && items.length === 0 ? <p className="muted">{t('app.loading')}</p> : null}
        {!loading && items.length === 0 ? <p className="muted">{t('payments.none')}</p> : null}
        {items.length > 0 ? (
          <table className="table payments-table" data-testid="payments">
            <caption className="sr-only">{t('payments.tableCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('payments.payer')}</th>
                <th scope="col">{t('payments.received')}</th>
                <th scope="col">{t('payments.amount')}</th>
                <th scope="col">{t('payments.statusLabel')}</th>
                <th scope="col">{t('payments.customer')}</th>
                <th scope="col">{t('payments.confidence')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr
                  key={p.id}
                  data-payment-id={p.id}
                  data-status={p.status}
                  className={selected?.id === p.id ? 'selected' : undefined}
                >
                  <th scope="row">
                    <button
                      type="button"
                      className="link"
                      aria-pressed={selected?.id === p.id}
                      onClick={() => setSelected(p)}
                    >
                      {p.payer?.name || p.reference || t('payments.unknownPayer')}
                    </button>
                  </th>
                  <td>{formatDay(p.receivedAt, locale)}</td>
                  <td>{formatMoney(p.amount, locale)}</td>
                  <td>{t(`payments.status.${p.status}`)}</td>
                  <td>{p.customerId ? (names.get(p.customerId) ?? '…') : t('payments.noCustomer')}</td>
                  <td>{p.confidence === undefined ? '—' : formatPercent(p.confidence, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {cursor ? (
          <button type="button" className="link" onClick={more}>
            {t('payments.more')}
          </button>
        ) : null}
      </section>
      {selected ? (
        <PaymentPanel
          key={selected.id}
          payment={selected}
          me={me}
          customerName={selected.customerId ? (names.get(selected.customerId) ?? null) : null}
          onChanged={changed}
          onClose={() => setSelected(null)}
        />
      ) : null}
    </div>
  );
}
