import type { MoneyJson } from '@duemap/money';

export type TemplateLocale = 'zh-CN' | 'en';

/** zh-CN for any Chinese tag (zh, zh-CN, zh-Hans-CN, zh-TW...), en otherwise or when unknown. */
export function templateLocale(locale: string | null | undefined): TemplateLocale {
  return locale && /^zh(-|$)/i.test(locale.trim()) ? 'zh-CN' : 'en';
}

export interface ReminderFacts {
  /** Empty when the customer is not known (yet). */
  readonly customerName: string;
  readonly invoiceNumber: string;
  /** What is still open; null when no event told it. */
  readonly openAmount: MoneyJson | null;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  /** The policy step: negative before the due date, 0 on it, positive after. */
  readonly offsetDays: number;
}

export interface RenderedReminder {
  readonly subject: string;
  /** Plain text: paragraphs separated by a blank line. */
  readonly body: string;
  /** The same text as an HTML document in the customer's language (the email's HTML part). */
  readonly html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML elements and attributes (customer names come from ERPs). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** An HTML document of the text's paragraphs, every character of the facts escaped. */
export function htmlOf(locale: TemplateLocale, subject: string, body: string): string {
  const paragraphs = body
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return (
    `<!doctype html>\n<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body style="font-family: sans-serif; line-height: 1.5">\n${paragraphs}\n</body></html>\n`
  );
}

/** "CN¥1,234.50" / "¥1,234.50": the decimal string is formatted as is, never through a float. */
export function formatAmount(amount: MoneyJson, locale: TemplateLocale): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: amount.currency });
    // A numeric string keeps every digit (Intl.NumberFormat v3); a number would round big amounts.
    return format.format(amount.amount as `${number}`);
  } catch {
    return `${amount.currency} ${amount.amount}`;
  }
}

export function formatDueDate(isoDate: string, locale: TemplateLocale): string {
  if (locale === 'en') return isoDate;
  const [year, month, day] = isoDate.split('-').map(Number);
  return `${year}年${month}月${day}日`;
}

/** The reminder's subject, text and HTML in the customer's language. */
export function renderReminder(locale: TemplateLocale, facts: ReminderFacts): RenderedReminder {
  const { subject, body } = renderText(locale, facts);
  return { subject, body, html: htmlOf(locale, subject, body) };
}

function renderText(locale: TemplateLocale, facts: ReminderFacts): Omit<RenderedReminder, 'html'> {
  const due = formatDueDate(facts.dueDate, locale);
  const amount = facts.openAmount ? formatAmount(facts.openAmount, locale) : null;
  const days = Math.abs(facts.offsetDays);
  const n = facts.invoiceNumber;
  if (locale === 'zh-CN') {
    const greeting = `尊敬的${facts.customerName || '客户'}：`;
    const open = amount ? `，未付金额为 ${amount}` : '';
    const footer = '如您已付款，请忽略本提醒。';
    if (facts.offsetDays < 0) {
      return {
        subject: `付款提醒：发票 ${n} 将于 ${due} 到期`,
        body: `${greeting}\n\n温馨提示，发票 ${n} 将于 ${due} 到期${open}。\n\n${footer}`,
      };
    }
    if (facts.offsetDays === 0) {
      return {
        subject: `付款提醒：发票 ${n} 今日到期`,
        body: `${greeting}\n\n发票 ${n} 于今日（${due}）到期${open}。请按时安排付款。\n\n${footer}`,
      };
    }
    return {
      subject: `逾期提醒：发票 ${n} 已逾期 ${days} 天`,
      body: `${greeting}\n\n发票 ${n} 已于 ${due} 到期，目前已逾期 ${days} 天${open}。请尽快安排付款。\n\n${footer}`,
    };
  }
  const greeting = `Dear ${facts.customerName || 'customer'},`;
  const open = amount ? ` The amount open is ${amount}.` : '';
  const footer = 'If you have already paid, please disregard this reminder.';
  if (facts.offsetDays < 0) {
    return {
      subject: `Payment reminder: invoice ${n} is due on ${due}`,
      body: `${greeting}\n\nThis is a friendly reminder that invoice ${n} is due on ${due}.${open}\n\n${footer}`,
    };
  }
  if (facts.offsetDays === 0) {
    return {
      subject: `Payment reminder: invoice ${n} is due today`,
      body: `${greeting}\n\nInvoice ${n} is due today (${due}).${open} Please arrange payment.\n\n${footer}`,
    };
  }
  return {
    subject: `Overdue: invoice ${n} is ${days} ${days === 1 ? 'day' : 'days'} past due`,
    body: `${greeting}\n\nInvoice ${n} was due on ${due} and is now ${days} ${days === 1 ? 'day' : 'days'} overdue.${open} Please arrange payment as soon as possible.\n\n${footer}`,
  };
}
