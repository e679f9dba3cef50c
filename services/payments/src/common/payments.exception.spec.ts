import { PaymentsErrorCode, PaymentsException } from './payments.exception';

describe('PaymentsException', () => {
  it('maps every code to a status', () => {
    for (const code of Object.values(PaymentsErrorCode)) {
      expect([400, 404, 409, 422, 503]).toContain(PaymentsException.statusOf(code));
    }
    expect(new PaymentsException(PaymentsErrorCode.IdempotencyKeyReused, 'x').status).toBe(409);
    expect(new PaymentsException(PaymentsErrorCode.DependencyUnavailable, 'x').status).toBe(503);
  });

  it('names the field of a one-field problem', () => {
    const error = PaymentsException.forField(PaymentsErrorCode.CustomerNotFound, 'customerId', 'gone');
    expect(error.details).toEqual([{ field: 'customerId', message: 'gone', code: 'CUSTOMER_NOT_FOUND' }]);
    expect(error.status).toBe(404);
  });
});
