import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiUpload } from '../api/http';
import type { StatementImport } from '../api/types';
import { formatNumber, localeOf } from '../format';
import { describeError } from './errors';
import { statementContentType } from './payment-input';

export type ImportedStatement = StatementImport;

/**
 * A bank statement file (camt.053/054, MT940, CSV) sent as it is to POST /api/v1/bank-statements;
 * the import's summary stays on screen, and the page lists the statement's payments.
 */
export function StatementUpload({ onImported }: { onImported: (result: ImportedStatement) => void }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StatementImport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    apiUpload<StatementImport>('/api/v1/bank-statements', file, statementContentType(file.name)).then(
      (imported) => {
        setResult(imported);
        setBusy(false);
        onImported(imported);
      },
      (err: unknown) => {
        setError(describeError(err, t));
        setBusy(false);
      },
    );
  };

  const n = (value: number): string => formatNumber(value, locale);
  return (
    <form className="statement-upload" onSubmit={submit} aria-labelledby="upload-title">
      <h3 id="upload-title">{t('payments.upload.title')}</h3>
      <div className="upload-row">
        <label className="field">
          {t('payments.upload.file')}
          <input
            type="file"
            accept=".xml,.csv,.txt,.sta,.940,.mt940,application/xml,text/csv,text/plain"
            data-testid="statement-file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" className="primary" disabled={!file || busy} data-testid="statement-upload">
          {busy ? t('payments.upload.busy') : t('payments.upload.submit')}
        </button>
      </div>
      <p className="muted">{t('payments.upload.hint')}</p>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {result ? (
        <p role="status" data-testid="statement-summary" data-candidates={result.candidates}>
          {t('payments.upload.summary', {
            format: result.format,
            lines: n(result.lines),
            credits: n(result.credits),
            debits: n(result.debits),
            candidates: n(result.candidates),
            duplicates: n(result.duplicates),
          })}
        </p>
      ) : null}
    </form>
  );
}
