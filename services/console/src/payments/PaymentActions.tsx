import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRequest } from '../api/http';
import {
  PAYMENT_METHODS,
  REVERSAL_REASONS,
  type Me,
  type Payment,
  type PaymentMethod,
  type ReversalReason,
} from '../api/types';
import { formatMoney, localeOf } from '../format';
import { describeError } from './errors';
import { compareAmounts, parseAmount } from './payment-input';

/**
 * What can be undone of a decided payment: reverse it (a returned transfer, a bounced cheque) or pay
 * back what it left unapplied. Offered only with payments:reverse / payments:refund.
 */
export function PaymentActions({
  payment,
  me,
  onChanged,
}: {
  payment: Payment;
  me: Me;
  onChanged: (payment: Payment) => void;
}) {
  const canReverse = me.permissions.includes('payments:reverse') && payment.status !== 'reversed';
  const hasCredit = parseAmount(payment.unapplied.amount) !== null;
  const canRefund = me.permissions.includes('payments:refund') && payment.status !== 'reversed' && hasCredit;
  if (!canReverse && !canRefund) return null;
  return (
    <div className="payment-actions">
      {canReverse ? <ReverseForm payment={payment} onChanged={onChanged} /> : null}
      {canRefund ? <RefundForm payment={payment} onChanged={onChanged} /> : null}
    </div>
  );
}

function ReverseForm({ payment, onChanged }: { payment: Payment; onChanged: (payment: Payment) => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<ReversalReason>('returned');
  const [detail, setDetail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const text = detail.trim();
    apiRequest<Payment>('POST', `/api/v1/payments/${encodeURIComponent(payment.id)}/reverse`, {
      reason,
      ...(text === '' ? {} : { detail: text }),
    }).then(
      (reversed) => {
        setBusy(false);
        onChanged(reversed);
      },
      (err: unknown) => {
        setBusy(false);
        setError(describeError(err, t));
      },
    );
  };

  return (
    <form className="action-form" onSubmit={submit} data-testid="reverse-form">
      <h3>{t('payments.reverse.title')}</h3>
      <p className="muted">{t('payments.reverse.hint')}</p>
      <label className="field">
        {t('payments.reverse.reason')}
        <select value={reason} onChange={(e) => setReason(e.target.value as ReversalReason)}>
          {REVERSAL_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`payments.reasons.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        {t('payments.reverse.detail')}
        <textarea
          value={detail}
          maxLength={500}
          rows={2}
          onChange={(e) => setDetail(e.target.value.replace(/\0/g, ''))}
        />
      </label>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="danger" disabled={busy}>
        {t('payments.reverse.submit')}
      </button>
    </form>
  );
}

function RefundForm({ payment, onChanged }: { payment: Payment; onChanged: (payment: Payment) => void }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [amount, setAmount] = useState(payment.unapplied.amount);
  const [method, setMethod] = useState<PaymentMethod>('bank_transfer');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per refund the user means: a double submit or a retry after a lost answer is the same refund.
  const [key, setKey] = useState(() => crypto.randomUUID());

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const value = parseAmount(amount);
    if (value === null) {
      setError(t('payments.refund.badAmount'));
      return;
    }
    if (compareAmounts(value, payment.unapplied.amount) > 0) {
      setError(t('payments.refund.tooMuch', { max: formatMoney(payment.unapplied, locale) }));
      return;
    }
    setBusy(true);
    setError(null);
    const ref = reference.trim();
    apiRequest<Payment>(
      'POST',
      `/api/v1/payments/${encodeURIComponent(payment.id)}/refunds`,
      {
        amount: { amount: value, currency: payment.unapplied.currency },
        method,
        ...(ref ? { reference: ref } : {}),
      },
      undefined,
      { 'idempotency-key': key },
    ).then(
      (refunded) => {
        setBusy(false);
        setKey(crypto.randomUUID());
        onChanged(refunded);
      },
      (err: unknown) => {
        setBusy(false);
        setError(describeError(err, t));
      },
    );
  };

  return (
    <form className="action-form" onSubmit={submit} data-testid="refund-form">
      <h3>{t('payments.refund.title')}</h3>
      <p className="muted">{t('payments.refund.hint', { max: formatMoney(payment.unapplied, locale) })}</p>
      <label className="field">
        {t('payments.refund.amount', { currency: payment.unapplied.currency })}
        <input
          type="text"
          inputMode="decimal"
          maxLength={20}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
      </label>
      <label className="field">
        {t('payments.methodLabel')}
        <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)}>
          {PAYMENT_METHODS.map((m) => (
            <option key={m} value={m}>
              {t(`payments.method.${m}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        {t('payments.reference')}
        <input
          type="text"
          maxLength={200}
          value={reference}
          onChange={(e) => setReference(e.target.value.replace(/\0/g, ''))}
        />
      </label>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {t('payments.refund.submit')}
      </button>
    </form>
  );
}
