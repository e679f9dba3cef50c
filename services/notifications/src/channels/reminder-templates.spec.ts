import { formatAmount, renderReminder, templateLocale, type ReminderFacts } from './reminder-templates';

const facts: ReminderFacts = {
  customerName: '上海明远贸易有限公司',
  invoiceNumber: 'INV-2025-0042',
  openAmount: { amount: '12345.60', currency: 'CNY' },
  dueDate: '2025-03-31',
  offsetDays: -3,
};

describe('templateLocale', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['ZH-tw', 'zh-CN'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['de-DE', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    ['zhx', 'en'],
  ])('%s -> %s', (locale, expected) => {
    expect(templateLocale(locale)).toBe(expected);
  });
});

describe('renderReminder', () => {
  it('writes a friendly pre-due notice in Chinese', () => {
    expect(renderReminder('zh-CN', facts)).toMatchObject({
      subject: '付款提醒：发票 INV-2025-0042 将于 2025年3月31日 到期',
      body:
        '尊敬的上海明远贸易有限公司：\n\n温馨提示，发票 INV-2025-0042 将于 2025年3月31日 到期，未付金额为 ¥12,345.60。' +
        '\n\n如您已付款，请忽略本提醒。',
    });
  });

  it('writes the due-day and overdue reminders in English with number, amount and due date', () => {
    const due = renderReminder('en', { ...facts, customerName: 'ACME Ltd', offsetDays: 0 });
    expect(due.subject).toBe('Payment reminder: invoice INV-2025-0042 is due today');
    expect(due.body).toContain('Dear ACME Ltd,');
    expect(due.body).toContain(
      'Invoice INV-2025-0042 is due today (2025-03-31). The amount open is CN¥12,345.60.',
    );
    const overdue = renderReminder('en', { ...facts, offsetDays: 7 });
    expect(overdue.subject).toBe('Overdue: invoice INV-2025-0042 is 7 days past due');
    expect(overdue.body).toContain(
      'was due on 2025-03-31 and is now 7 days overdue. The amount open is CN¥12,345.60.',
    );
  });

  it('counts overdue days in Chinese and greets an unknown customer politely', () => {
    const overdue = renderReminder('zh-CN', { ...facts, customerName: '', offsetDays: 30 });
    expect(overdue.subject).toBe('逾期提醒：发票 INV-2025-0042 已逾期 30 天');
    expect(overdue.body.startsWith('尊敬的客户：')).toBe(true);
  });

  it('leaves the amount out when it is not known', () => {
    expect(renderReminder('en', { ...facts, openAmount: null }).body).not.toContain('amount open');
  });
});

describe('the HTML part', () => {
  it('carries the same paragraphs in the customer language, with names escaped', () => {
    const { html, subject } = renderReminder('zh-CN', { ...facts, customerName: 'A&B <Trading>' });
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(`<title>${subject}</title>`);
    expect(html).toContain('<p>尊敬的A&amp;B &lt;Trading&gt;：</p>');
    expect(html).toContain('<p>如您已付款，请忽略本提醒。</p>');
    expect(html).not.toContain('<Trading>');
  });

  it('is English for an English customer', () => {
    const { html } = renderReminder('en', { ...facts, customerName: 'ACME Ltd', offsetDays: 7 });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<p>Dear ACME Ltd,</p>');
    expect(html).toContain('is now 7 days overdue');
  });
});

describe('formatAmount', () => {
  it('keeps every digit of large amounts (no float on the way)', () => {
    expect(formatAmount({ amount: '90071992547409.93', currency: 'USD' }, 'en')).toBe(
      '$90,071,992,547,409.93',
    );
  });

  it('uses the currency minor digits as given', () => {
    expect(formatAmount({ amount: '1500', currency: 'JPY' }, 'en')).toBe('¥1,500');
  });
});
