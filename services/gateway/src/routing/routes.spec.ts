import { ownerOf } from './routes';

describe('ownerOf', () => {
  it.each([
    ['/api/v1/customers/erp/42', 'customers'],
    ['/api/v1/customers?status=overdue', 'customers'],
    ['/api/v1/invoices/abc/void', 'invoicing'],
    ['/api/v1/payments', 'payments'],
    ['/api/v1/bank-statements', 'payments'],
    ['/api/v1/map/customers?bbox=1,2,3,4', 'geocoding'],
    ['/api/v1/reminders?invoiceId=x', 'notifications'],
    ['/api/v1/deliveries?invoiceId=x', 'notifications'],
    ['/api/v1/subscriptions/abc/dead-letters', 'notifications'],
  ])('%s -> %s', (path, owner) => {
    expect(ownerOf(path)).toBe(owner);
  });

  it.each(['/api/v1/unknown', '/api/v2/customers', '/health', '/api/v1/'])('%s has no owner', (path) => {
    expect(ownerOf(path)).toBeUndefined();
  });
});
