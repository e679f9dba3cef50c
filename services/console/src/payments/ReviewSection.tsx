import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiRequest, isAbort } from '../api/http';
import type { Customer, CustomerPage, Invoice, InvoicePage, Payment } from '../api/types';
import { formatDate, formatMoney, formatPercent, localeOf } from '../format';
import { rememberName, useCustomerNames } from './customer-names';
import { describeError } from './errors';
import { checkSplit } from './payment-input';

const OPEN = new Set<Invoice['status']>(['open', 'partially_paid', 'overdue']);
const SEARCH_DELAY_MS = 300;

/**
 * A payment waiting for review: why the engine was not sure, what it suggests, and the two ways to
 * decide — confirm the suggestion, or apply it to another customer (found by name, tax id or ERP
 * id), optionally split over that customer's open invoices.
 */
export function ReviewSection({
  payment,
  canReview,
  onDecided,
}: {
  payment: Payment;
  canReview: boolean;
  onDecided: (payment: Payment) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const review = payment.review;
  const suggestion = review?.suggestion ?? null;
  const names = useCustomerNames([suggestion?.customerId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [other, setOther] = useState(false);

  const apply = (body: {
    customerId: string;
    allocations?: { invoiceId: string; amount: Payment['amount'] }[];
  }) => {
    setBusy(true);
    setError(null);
    apiRequest<Payment>('POST', `/api/v1/payments/${encodeURIComponent(payment.id)}/apply`, body).then(
      (decided) => {
        setBusy(false);
        onDecided(decided);
      },
      (err: unknown) => {
        setBusy(false);
        setError(describeError(err, t));
      },
    );
  };

  return (
    <div className="review" data-testid="review">
      <h3>{t('payments.review.why')}</h3>
      <ul data-testid="review-reasons">
        {(review?.reasons ?? []).map((r) => (
          <li key={r}>{t(`payments.review.reasons.${r}`, { defaultValue: r })}</li>
        ))}
      </ul>
      {review && review.evidence.length > 0 ? (
        <details>
          <summary>{t('payments.review.evidence', { count: review.evidence.length })}</summary>
          <ul className="evidence">
            {review.evidence.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <h3>{t('payments.review.suggestion')}</h3>
      {suggestion?.customerId ? (
        <>
          <p data-testid="suggested-customer">
            {t('payments.review.suggestedCustomer', {
              name: names.get(suggestion.customerId) ?? suggestion.customerId,
              rule: t(`payments.review.customerRules.${suggestion.customerRule ?? 'none'}`, {
                defaultValue: suggestion.customerRule ?? '',
              }),
            })}
          </p>
          {suggestion.allocations.length > 0 ? (
            <table className="table" data-testid="suggested-allocations">
              <thead>
                <tr>
                  <th scope="col">{t('payments.invoice')}</th>
                  <th scope="col">{t('payments.amount')}</th>
                  <th scope="col">{t('payments.rule')}</th>
                  <th scope="col">{t('payments.confidence')}</th>
                </tr>
              </thead>
              <tbody>
                {suggestion.allocations.map((a) => (
                  <tr key={a.invoiceId} title={a.evidence.join('\n')}>
                    <th scope="row">{a.invoiceNumber}</th>
                    <td>{formatMoney(a.amount, locale)}</td>
                    <td>{t(`payments.rules.${a.rule}`, { defaultValue: a.rule })}</td>
                    <td>{formatPercent(a.confidence, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('payments.review.noInvoices')}</p>
          )}
        </>
      ) : (
        <p className="muted" data-testid="no-suggestion">
          {t('payments.review.noSuggestion')}
        </p>
      )}
      {error ? (
        <p role="alert" className="error" data-testid="review-error">
          {error}
        </p>
      ) : null}
      {canReview ? (
        <div className="review-actions">
          <button
            type="button"
            className="primary"
            data-testid="confirm-suggestion"
            disabled={busy || !suggestion?.customerId}
            onClick={() => suggestion?.customerId && apply({ customerId: suggestion.customerId })}
          >
            {t('payments.review.confirm')}
          </button>
          <button
            type="button"
            aria-expanded={other}
            data-testid="apply-other"
            onClick={() => setOther((on) => !on)}
          >
            {t('payments.review.other')}
          </button>
        </div>
      ) : (
        <p className="muted">{t('payments.review.readOnly')}</p>
      )}
      {canReview && other ? <OtherCustomer payment={payment} busy={busy} onApply={apply} /> : null}
    </div>
  );
}

function OtherCustomer({
  payment,
  busy,
  onApply,
}: {
  payment: Payment;
  busy: boolean;
  onApply: (body: {
    customerId: string;
    allocations?: { invoiceId: string; amount: Payment['amount'] }[];
  }) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const id = useId();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[]>([]);
  const [searching, setSearching] = useState(false);
  const [chosen, setChosen] = useState<Customer | null>(null);
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [split, setSplit] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const text = q.trim();
    if (text === '') {
      setFound([]);
      return;
    }
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      setSearching(true);
      apiGet<CustomerPage>(
        `/api/v1/customers?${new URLSearchParams({ q: text, limit: '10' }).toString()}`,
        abort.signal,
      ).then(
        (page) => {
          for (const c of page.items) rememberName(c.id, c.name);
          setFound(page.items);
          setSearching(false);
          setProblem(null);
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          setSearching(false);
          setProblem(describeError(err, t));
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [q, t]);

  useEffect(() => {
    setInvoices(null);
    setSplit({});
    if (!chosen) return;
    const abort = new AbortController();
    apiGet<InvoicePage>(
      `/api/v1/invoices?customerId=${encodeURIComponent(chosen.id)}&limit=100`,
      abort.signal,
    ).then(
      (page) =>
        setInvoices(
          page.items.filter((i) => OPEN.has(i.status) && i.openAmount.currency === payment.amount.currency),
        ),
      (err: unknown) => {
        if (!isAbort(err)) setProblem(describeError(err, t));
      },
    );
    return () => abort.abort();
  }, [chosen, payment.amount.currency, t]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!chosen) {
      setProblem(t('payments.review.chooseCustomer'));
      return;
    }
    const check = checkSplit(split, payment.amount.amount);
    switch (check.kind) {
      case 'none':
        setProblem(null);
        onApply({ customerId: chosen.id });
        return;
      case 'invalid': {
        const number = invoices?.find((i) => i.id === check.invoiceId)?.number ?? check.invoiceId;
        setProblem(t('payments.review.badAmount', { invoice: number }));
        return;
      }
      case 'exceeds':
        setProblem(
          t('payments.review.splitExceeds', {
            total: formatMoney({ amount: check.total, currency: payment.amount.currency }, locale),
            amount: formatMoney(payment.amount, locale),
          }),
        );
        return;
      case 'ok':
        setProblem(null);
        onApply({
          customerId: chosen.id,
          allocations: check.allocations.map((a) => ({
            invoiceId: a.invoiceId,
            amount: { amount: a.amount, currency: payment.amount.currency },
          })),
        });
        return;
    }
  };

  return (
    <form className="other-customer" onSubmit={submit} data-testid="other-customer">
      <label className="field">
        {t('payments.review.search')}
        <input
          type="search"
          value={q}
          maxLength={200}
          data-testid="customer-search"
          onChange={(e) => setQ(e.target.value.replace(/\0/g, ''))}
        />
      </label>
      {searching ? <p className="muted">{t('app.loading')}</p> : null}
      {found.length > 0 ? (
        <fieldset>
          <legend>{t('payments.review.results')}</legend>
          {found.map((c) => (
            <label key={c.id} className="check">
              <input
                type="radio"
                name={`${id}-customer`}
                value={c.id}
                checked={chosen?.id === c.id}
                onChange={() => setChosen(c)}
              />
              {c.name}
            </label>
          ))}
        </fieldset>
      ) : q.trim() !== '' && !searching ? (
        <p className="muted">{t('payments.review.noResults')}</p>
      ) : null}
      {chosen && invoices ? (
        invoices.length > 0 ? (
          <fieldset>
            <legend>{t('payments.review.split')}</legend>
            <p className="muted">{t('payments.review.splitHint')}</p>
            {invoices.map((inv) => (
              <label key={inv.id} className="split-line">
                <span>
                  {t('payments.review.splitLine', {
                    number: inv.number,
                    open: formatMoney(inv.openAmount, locale),
                    due: formatDate(inv.dueDate, locale),
                  })}
                </span>
                <input
                  type="text"
                  inputMode="decimal"
                  maxLength={20}
                  value={split[inv.id] ?? ''}
                  onChange={(e) => setSplit((held) => ({ ...held, [inv.id]: e.target.value }))}
                />
              </label>
            ))}
          </fieldset>
        ) : (
          <p className="muted">{t('payments.review.noOpenInvoices')}</p>
        )
      ) : null}
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy || !chosen} data-testid="apply-to-customer">
        {chosen ? t('payments.review.applyTo', { name: chosen.name }) : t('payments.review.applyToNone')}
      </button>
    </form>
  );
}
