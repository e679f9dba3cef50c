import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDemoUsers } from '@duemap/local-stack/identity';
import { camt053Credits } from '../services/payments/src/bank-statements/parsing/testing/camt053-credits';
import { ApiClient, eventually, isoDate, type Money } from './api-client';
import { startStack, type Stack } from './stack';

const ROOT = path.resolve(__dirname, '..');
/** Git-ignored (.run/): screenshots of the run, for a human to look at after a failure. */
const ARTEFACTS = path.join(ROOT, '.run', 'artifacts', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Customer {
  id: string;
  status: string;
}
interface Invoice {
  id: string;
  total: Money;
}
interface MapFeatures {
  features: { properties: { customerId?: string; status?: string } }[];
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

const cny = (amount: string): Money => ({ amount, currency: 'CNY' });

/** GET /api/v1/map/live read as it arrives, as a collector's browser would. */
function liveStream(
  url: string,
  token: string,
): { text: () => string; until: (needle: string) => Promise<void>; close: () => void } {
  const abort = new AbortController();
  let text = '';
  const waiting: { needle: string; resolve: () => void }[] = [];
  const settle = (): void => {
    for (const w of waiting.filter((x) => text.includes(x.needle))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  void (async () => {
    const res = await fetch(`${url}/api/v1/map/live`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!res.body) return;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      settle();
    }
  })().catch(() => undefined);
  return {
    text: () => text,
    until: (needle) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${needle} in the stream: ${text}`)), 30_000);
        waiting.push({ needle, resolve: () => (clearTimeout(timer), resolve()) });
        settle();
      }),
    close: () => abort.abort(),
  };
}

/**
 * The console in Debian's Chromium (playwright-core), against the whole platform: the demo finance
 * user signs in through the gateway's page, sees paid, unpaid and overdue pins, filters to overdue,
 * opens a customer, watches a pin turn green when a payment is posted through the API (no reload),
 * switches to English; no console errors, and axe finds nothing serious.
 */
describe('the web console', () => {
  let stack: Stack;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let password: string;
  const errors: string[] = [];
  const erp = `console-${randomUUID().slice(0, 8)}`;
  const ids: Record<'paid' | 'unpaid' | 'overdue' | 'target', string> = {
    paid: '',
    unpaid: '',
    overdue: '',
    target: '',
  };
  let targetInvoice: Invoice;
  let overdueInvoice: Invoice;

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
  };
  const pin = (id: string, status?: string): string =>
    `button.pin[data-customer-id="${id}"]${status ? `[data-status="${status}"]` : ''}`;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: deploy/local/bootstrap.sh installs Debian's chromium package`);
    }
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    // The gateway serves what this build writes to services/console/dist.
    execFileSync('npm', ['run', '-s', 'build', '-w', 'services/console', '--', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    stack = await startStack({ env: { OVERDUE_SCAN_INTERVAL: '500ms' } });
    const users = await ensureDemoUsers(
      stack.databases.gateway.url,
      path.join(os.tmpdir(), `${erp}-users.json`),
    );
    password = users.find((u) => u.username === 'finance')?.password ?? '';
    expect(password).not.toBe('');
    api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['admin'] }) });

    // Far enough apart to stay single pins at zoom 4: Beijing, Shanghai, Guangzhou, Chengdu.
    const place = {
      paid: { province: '北京市', city: '北京市', district: '朝阳区' },
      unpaid: { province: '上海市', city: '上海市', district: '浦东新区' },
      overdue: { province: '广东省', city: '广州市', district: '天河区' },
      target: { province: '四川省', city: '成都市', district: '武侯区' },
    } as const;
    for (const key of Object.keys(place) as (keyof typeof place)[]) {
      const res = await api.put<Customer>(`/api/v1/customers/${erp}/${key}`, {
        name: `控制台测试 ${key}`,
        address: { country: 'CN', ...place[key], line1: '1 号' },
        currency: 'CNY',
      });
      expect(res.status).toBe(201);
      ids[key] = res.body.id;
    }
    const invoice = async (key: keyof typeof ids, dueInDays: number, amount: string): Promise<Invoice> => {
      const res = await api.put<Invoice>(`/api/v1/invoices/${erp}/INV-${key}`, {
        customerId: ids[key],
        number: `INV-${key}`,
        issueDate: isoDate(-40),
        dueDate: isoDate(dueInDays),
        total: cny(amount),
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    await invoice('unpaid', 20, '800.00');
    overdueInvoice = await invoice('overdue', -12, '1200.00');
    targetInvoice = await invoice('target', -5, '2345.60');
    await eventually(
      'pins of all three colours',
      () => api.get<MapFeatures>('/api/v1/map/customers'),
      (res) => {
        const status = new Map(res.body.features.map((f) => [f.properties.customerId, f.properties.status]));
        return (
          status.get(ids.paid) === 'paid' &&
          status.get(ids.unpaid) === 'unpaid' &&
          status.get(ids.overdue) === 'overdue' &&
          status.get(ids.target) === 'overdue'
        );
      },
      60_000,
    );

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 860 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sends a visitor to sign in and back, then shows who is signed in', async () => {
    await page.goto(`${stack.gatewayUrl}/?lng=110&lat=31&zoom=4`);
    await page.waitForURL(/\/auth\/login\?next=/);
    await page.fill('#username', 'finance');
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('zoom') === '4');
    await page.locator('[data-testid=who]').filter({ hasText: 'finance' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    // Before signing in, GET /api/v1/me answered 401: that is how the console learnt to send us to sign in.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    expect(errors.filter((e) => e.startsWith('401 ')).map((e) => new URL(e.slice(4)).pathname)).toEqual([
      '/api/v1/me',
    ]);
    errors.length = 0;
  });

  it('shows pins of all three colours, live, and the customers in view', async () => {
    await page.locator(pin(ids.paid, 'paid')).waitFor();
    await page.locator(pin(ids.unpaid, 'unpaid')).waitFor();
    await page.locator(pin(ids.overdue, 'overdue')).waitFor();
    await page.locator(pin(ids.target, 'overdue')).waitFor();
    // Placed by maplibre (its marker element holds the button), west of Shanghai's pin.
    const box = async (id: string) =>
      (await page.locator(`.maplibregl-marker ${pin(id)}`).boundingBox())?.x ?? NaN;
    expect(await box(ids.target)).toBeLessThan(await box(ids.unpaid));
    await page.locator('[data-testid=live-state][data-state=open]').waitFor();
    await page.locator(`[data-testid=in-view] [data-customer-id="${ids.target}"]`).waitFor();
    await shot('1-map');
  });

  it('filters to overdue customers', async () => {
    await page.getByRole('checkbox', { name: '已付清' }).uncheck();
    await page.getByRole('checkbox', { name: '未付款' }).uncheck();
    await page.locator(pin(ids.paid)).waitFor({ state: 'detached' });
    await page.locator(pin(ids.unpaid)).waitFor({ state: 'detached' });
    expect(await page.locator(pin(ids.overdue, 'overdue')).count()).toBe(1);
    await shot('2-overdue');
    await page.getByRole('checkbox', { name: '已付清' }).check();
    await page.getByRole('checkbox', { name: '未付款' }).check();
    await page.locator(pin(ids.paid, 'paid')).waitFor();
  });

  /** Serious or critical axe-core violations of the page as it is now. */
  const axeSerious = async (): Promise<AxeViolation[]> => {
    // Evaluated over the DevTools protocol: a <script> tag would be (rightly) refused by the page's CSP.
    if (!(await page.evaluate('typeof axe !== "undefined"'))) {
      await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    }
    const violations = await page.evaluate<AxeViolation[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`,
    );
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  };

  it('lists the customers of groups in the side list when the view is all groups', async () => {
    await page.goto(`${stack.gatewayUrl}/?lng=110&lat=31&zoom=1`);
    await page.locator('button.cluster').first().waitFor();
    expect(await page.locator('button.pin').count()).toBe(0);
    const list = page.locator('[data-testid=in-view]');
    for (const id of [ids.paid, ids.unpaid, ids.overdue, ids.target]) {
      await list.locator(`[data-customer-id="${id}"]`).waitFor();
    }
    // Filtered like the map: only the overdue are listed.
    await page.getByRole('checkbox', { name: '已付清' }).uncheck();
    await list.locator(`[data-customer-id="${ids.paid}"]`).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: '已付清' }).check();
    await shot('2b-grouped-list');
  });

  it('colours provinces by overdue share with a legend, and turns it off', async () => {
    await page.locator('[data-testid=choropleth-metric]').selectOption('overdueShare');
    await page.locator('[data-testid=choropleth-legend]').waitFor();
    await page.locator('.map-canvas[data-choropleth=overdueShare]').waitFor();
    await page.locator('[data-testid=choropleth-level]').selectOption('city');
    await page.locator('[data-testid=choropleth-metric]').selectOption('outstanding');
    await page.locator('.map-canvas[data-choropleth=outstanding]').waitFor();
    await shot('2c-choropleth');
    expect(await axeSerious()).toEqual([]);
    await page.locator('[data-testid=choropleth-metric]').selectOption('off');
    await page.locator('[data-testid=choropleth-legend]').waitFor({ state: 'detached' });
  });

  it('ranks the overdue in the worklist, plans a route for them, draws it and exports it as CSV', async () => {
    await page.getByRole('link', { name: '催收清单' }).click();
    const rows = page.locator('[data-testid=worklist] tbody tr');
    await page.locator(`[data-testid=worklist] tr[data-customer-id="${ids.target}"]`).waitFor();
    await page.locator(`[data-testid=worklist] tr[data-customer-id="${ids.overdue}"]`).waitFor();
    // Only the overdue (the ranking itself is covered by geocoding's map-list spec: both turned
    // overdue moments ago, so days overdue × amount is 0 for each here).
    const listed = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-customer-id')));
    expect(listed).not.toContain(ids.paid);
    expect(listed).not.toContain(ids.unpaid);
    await page.getByRole('checkbox', { name: `选择 控制台测试 overdue` }).check();
    await page.getByRole('checkbox', { name: `选择 控制台测试 target` }).check();
    await page.locator('[data-testid=plan-route]').click();
    await page.locator('[data-testid=route-map][data-stops="2"]').waitFor();
    const stops = page.locator('[data-testid=route-stops] tbody tr');
    expect(await stops.count()).toBe(2);
    expect(await stops.first().getAttribute('data-customer-id')).toBe(ids.overdue);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=export-csv]').click(),
    ]);
    const csv = fs.readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFsequence,customerId,name,status,lat,lng,legKm,cumulativeKm,toCollect',
    );
    expect(csv).toContain(`1,${ids.overdue},控制台测试 overdue,overdue`);
    expect(csv).toContain(ids.target);
    await shot('2d-worklist-route');
    expect(await axeSerious()).toEqual([]);
    // Back to the map, live again before the payments below.
    await page.goto(`${stack.gatewayUrl}/?lng=110&lat=31&zoom=4`);
    await page.locator('[data-testid=live-state][data-state=open]').waitFor();
    await page.locator(pin(ids.target, 'overdue')).waitFor();
  });

  it("opens a customer's panel: status, balance and open invoices", async () => {
    await page.locator(pin(ids.target)).click();
    const panel = page.locator('[data-testid=customer-panel]');
    await panel.locator('[data-testid=panel-status][data-status=overdue]').waitFor();
    await panel.locator('[data-testid=open-invoices]').getByText('INV-target').waitFor();
    expect(await panel.textContent()).toContain('¥2,345.60');
    await shot('3-panel');
  });

  const pay = async (customer: keyof typeof ids, invoice: Invoice): Promise<void> => {
    const paid = await api.request(
      'POST',
      '/api/v1/payments',
      {
        customerId: ids[customer],
        amount: invoice.total,
        receivedAt: new Date().toISOString(),
        method: 'bank_transfer',
        reference: `INV-${customer}`,
        allocations: [{ invoiceId: invoice.id, amount: invoice.total }],
      },
      { 'Idempotency-Key': `${erp}-pay-${customer}` },
    );
    expect(paid.status).toBe(201);
  };

  it('turns the pin green within moments of a payment, without a reload', async () => {
    await page.evaluate('window.__sameDocument = true');
    // Two collectors watch too: 四川 (the customer's province) and 广东 (not).
    const collector = (province: string): Promise<string> =>
      stack.token({
        roles: ['collector'],
        subject: `collector-${province}`,
        territory: { countries: [], provinces: [`CN/${province}`], salesTerritories: [], customerIds: [] },
      });
    const sichuan = liveStream(stack.gatewayUrl, await collector('四川省'));
    const guangdong = liveStream(stack.gatewayUrl, await collector('广东省'));
    await Promise.all([sichuan.until(': connected'), guangdong.until(': connected')]);
    await pay('target', targetInvoice);
    const posted = Date.now();
    await page.locator(pin(ids.target, 'paid')).waitFor({ timeout: 30_000 });
    const elapsed = Date.now() - posted;
    console.log(`console: pin green ${elapsed} ms after the payment was accepted`);
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    // The open panel follows the change too.
    await page.locator('[data-testid=panel-status][data-status=paid]').waitFor();
    await shot('4-paid');
    // The collector of 四川 was told; the one of 广东 is told of 广东's customer, and of nothing else.
    await sichuan.until(`"customerId":"${ids.target}","status":"paid"`);
    await pay('overdue', overdueInvoice);
    await guangdong.until(`"customerId":"${ids.overdue}","status":"paid"`);
    expect(guangdong.text()).not.toContain(ids.target);
    sichuan.close();
    guangdong.close();
  });

  it('switches to English: labels, numbers and currencies per locale', async () => {
    await page.locator('[data-testid=language]').selectOption('en');
    await page.getByRole('checkbox', { name: 'Overdue' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.locator(pin(ids.unpaid)).click();
    await page.locator('[data-testid=customer-panel]').getByText('CN¥800.00').first().waitFor();
    await shot('5-english');
  });

  it('uploads a bank statement, and its unknown payer waits under Needs review until applied to a customer', async () => {
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.locator('[data-testid=payments-filter-needs_review][aria-pressed=true]').waitFor();
    // A private person's name, no reference, an amount no invoice has open: cash application cannot tell whose.
    const statement = camt053Credits(`${erp}-stmt`, 'CN-ICBC-4000023009200123456', [
      {
        amount: '123.45',
        currency: 'CNY',
        valueDate: isoDate(0),
        payerName: 'ZHAO MING',
        payerIban: 'CN6201234567890999999',
        remittance: 'goods',
        bankReference: `${erp}-btx-1`,
      },
    ]);
    await page.locator('[data-testid=statement-file]').setInputFiles({
      name: 'statement.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(statement),
    });
    await page.locator('[data-testid=statement-upload]').click();
    await page.locator('[data-testid=statement-summary][data-candidates="1"]').waitFor();
    // The statement's payments are listed as cash application makes them.
    const ofStatement = page.locator('[data-testid=payments] tbody tr[data-status=needs_review]');
    await ofStatement.waitFor();
    const id = (await ofStatement.getAttribute('data-payment-id')) ?? '';
    const row = page.locator(`[data-testid=payments] tr[data-payment-id="${id}"]`);
    await page.locator('[data-testid=payments-filter-needs_review]').click();
    await row.waitFor();
    expect(await row.textContent()).toContain('CN¥123.45');
    await row.getByRole('button', { name: 'ZHAO MING' }).click();
    const panel = page.locator('[data-testid=payment-panel]');
    await panel.getByText('The payer is not a known customer').waitFor();
    await panel.locator('[data-testid=apply-other]').click();
    await panel.getByLabel('Find the customer').fill('控制台测试 unpaid');
    await panel.getByRole('radio', { name: '控制台测试 unpaid' }).check();
    await panel.getByLabel(/^INV-unpaid/).fill('123.45');
    await shot('6-payment-review');
    expect(await axeSerious()).toEqual([]);
    await panel.locator('[data-testid=apply-to-customer]').click();
    // Decided: out of the worklist, applied to the invoice chosen.
    await row.waitFor({ state: 'detached' });
    await page.locator('[data-testid=payment-panel][data-status=applied]').waitFor();
    const decided = await api.get<{
      status: string;
      customerId: string;
      reviewedBy: string;
      allocations: { invoiceNumber: string; applied: Money }[];
    }>(`/api/v1/payments/${id}`);
    expect(decided.body).toMatchObject({
      status: 'applied',
      customerId: ids.unpaid,
      reviewedBy: 'finance',
      allocations: [{ invoiceNumber: 'INV-unpaid', applied: cny('123.45') }],
    });
    await shot('7-payment-applied');
    // Back to the map for the session checks below.
    await page.goto(`${stack.gatewayUrl}/?lng=110&lat=31&zoom=4`);
    await page.locator(pin(ids.unpaid)).waitFor();
  });

  it('has no serious or critical accessibility violations (axe-core) and no console errors', async () => {
    expect(await axeSerious()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('returns to sign-in once when the session ends while the page is open, and comes back', async () => {
    await page.context().clearCookies();
    // The next call answers 401: off to sign in, with the way back.
    await page.getByRole('checkbox', { name: 'Paid', exact: true }).uncheck();
    await page.waitForURL(/\/auth\/login\?next=%2F/);
    await page.fill('#username', 'finance');
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=who]').filter({ hasText: 'finance' }).waitFor();
    await page.locator(pin(ids.unpaid)).waitFor();
  });

  it('signs out to the sign-in page, and the console sends a signed-out visitor there', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/auth\/login/);
    await page.goto(`${stack.gatewayUrl}/`);
    await page.waitForURL(/\/auth\/login\?next=%2F/);
  });
});
