import { useTranslation } from 'react-i18next';
import type { Me, Payment } from '../api/types';
import { formatDay, formatMoney, formatPercent, localeOf } from '../format';
import { PaymentActions } from './PaymentActions';
import { ReviewSection } from './ReviewSection';

/**
 * One payment: what it is, where it went, and what the signed-in user may do with it — decide it
 * while it waits for review, reverse or refund it once decided. Actions the user's permissions do
 * not allow are not offered.
 */
export function PaymentPanel({
  payment,
  me,
  customerName,
  onChanged,
  onClose,
}: {
  payment: Payment;
  me: Me;
  customerName: string | null;
  onChanged: (payment: Payment) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const money = (m: Payment['amount']): string => formatMoney(m, locale);
  const title = payment.payer?.name || payment.reference || t('payments.unknownPayer');
  return (
    <section
      className="payment-panel"
      aria-labelledby="payment-panel-title"
      data-testid="payment-panel"
      data-status={payment.status}
    >
      <div className="panel-head">
        <h2 id="payment-panel-title">
          {title} · {money(payment.amount)}
        </h2>
        <button type="button" className="close" aria-label={t('panel.close')} onClick={onClose}>
          ×
        </button>
      </div>
      <dl className="facts">
        <dt>{t('payments.statusLabel')}</dt>
        <dd data-testid="payment-status">{t(`payments.status.${payment.status}`)}</dd>
        <dt>{t('payments.received')}</dt>
        <dd>{formatDay(payment.receivedAt, locale)}</dd>
        <dt>{t('payments.customer')}</dt>
        <dd>{payment.customerId ? (customerName ?? payment.customerId) : t('payments.noCustomer')}</dd>
        <dt>{t('payments.payerAccount')}</dt>
        <dd>{payment.payer?.account ?? '—'}</dd>
        <dt>{t('payments.reference')}</dt>
        <dd>{payment.reference || '—'}</dd>
        <dt>{t('payments.methodLabel')}</dt>
        <dd>{t(`payments.method.${payment.method}`)}</dd>
        <dt>{t('payments.unapplied')}</dt>
        <dd data-testid="payment-unapplied">{money(payment.unapplied)}</dd>
        {payment.refunded.amount !== '0.00' && Number(payment.refunded.amount) !== 0 ? (
          <>
            <dt>{t('payments.refunded')}</dt>
            <dd>{money(payment.refunded)}</dd>
          </>
        ) : null}
        {payment.confidence !== undefined ? (
          <>
            <dt>{t('payments.confidence')}</dt>
            <dd>{formatPercent(payment.confidence, locale)}</dd>
          </>
        ) : null}
        {payment.reviewedBy ? (
          <>
            <dt>{t('payments.reviewedBy')}</dt>
            <dd>{payment.reviewedBy}</dd>
          </>
        ) : null}
      </dl>
      {payment.allocations.length > 0 ? (
        <>
          <h3>{t('payments.allocations')}</h3>
          <table className="table" data-testid="payment-allocations">
            <thead>
              <tr>
                <th scope="col">{t('payments.invoice')}</th>
                <th scope="col">{t('payments.applied')}</th>
                <th scope="col">{t('payments.rule')}</th>
              </tr>
            </thead>
            <tbody>
              {payment.allocations.map((a) => (
                <tr key={a.invoiceId}>
                  <th scope="row">{a.invoiceNumber}</th>
                  <td>
                    {money(a.applied)}
                    {a.rejected ? ` (${t('payments.rejected', { amount: money(a.rejected) })})` : ''}
                    {a.reversed ? ` (${t('payments.reversedShort')})` : ''}
                  </td>
                  <td>{t(`payments.rules.${a.rule}`, { defaultValue: a.rule })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {payment.reversal ? (
        <p data-testid="payment-reversal">
          {t('payments.reversedBecause', {
            reason: t(`payments.reasons.${payment.reversal.reason}`, {
              defaultValue: payment.reversal.reason,
            }),
            by: payment.reversal.by,
            at: formatDay(payment.reversal.at, locale),
          })}
          {payment.reversal.detail ? ` — ${payment.reversal.detail}` : ''}
        </p>
      ) : null}
      {payment.status === 'needs_review' ? (
        <ReviewSection
          payment={payment}
          canReview={me.permissions.includes('payments:review')}
          onDecided={onChanged}
        />
      ) : (
        <PaymentActions payment={payment} me={me} onChanged={onChanged} />
      )}
    </section>
  );
}
