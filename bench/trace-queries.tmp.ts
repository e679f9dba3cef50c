import { Client } from 'pg';
import { ApiClient, isoDate } from '../e2e/api-client';
import { startStack } from '../e2e/stack';
async function admin(sql: string) { const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await c.connect(); await c.query(sql); await c.end(); }
async function main() {
  const stack = await startStack({ env: { LOG_LEVEL: 'warn' } });
  try {
    const api = new ApiClient(stack.gatewayUrl);
    const ids: { id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await api.put<{ id: string }>(`/api/v1/customers/q/C-${i}`, { name: `Q ${i}`, address: { country: 'CN', province: '江苏省', city: '苏州市' }, currency: 'CNY' });
      await api.put(`/api/v1/invoices/q/I-${i}`, { customerId: c.body.id, number: `I-${i}`, issueDate: isoDate(-10), dueDate: isoDate(20), total: { amount: '100.00', currency: 'CNY' } });
      ids.push(c.body);
    }
    await new Promise((r) => setTimeout(r, 5000));
    await admin(`ALTER SYSTEM SET log_statement = 'all'`); await admin('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 500));
    console.log('MARK-START', new Date().toISOString());
    const res = await api.post('/api/v1/payments', { customerId: ids[0]!.id, amount: { amount: '100.00', currency: 'CNY' }, receivedAt: new Date().toISOString(), method: 'bank_transfer', reference: 'x' }, { 'Idempotency-Key': 'q-1' });
    console.log(res.status);
    await new Promise((r) => setTimeout(r, 4000));
    console.log('MARK-END', new Date().toISOString());
  } finally {
    await admin(`ALTER SYSTEM RESET log_statement`); await admin('SELECT pg_reload_conf()');
    await stack.stop();
  }
}
void main();
