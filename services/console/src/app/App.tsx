import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { loadSession, onSessionLost, signInUrl, type SessionState } from '../auth/session';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n/i18n';
import { MapPage } from '../map/MapPage';
import { PaymentsPage } from '../payments/PaymentsPage';
import { WorklistPage } from '../worklist/WorklistPage';
import { pageOf, type Page } from './routes';

const PAGES: readonly Page[] = [
  { path: '/', label: 'map', render: (props) => <MapPage {...props} /> },
  { path: '/worklist', label: 'worklist', render: () => <WorklistPage /> },
  {
    path: '/payments',
    label: 'payments',
    permission: 'payments:read',
    render: ({ me }) => <PaymentsPage me={me} />,
  },
];

export function App() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<SessionState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    onSessionLost(setSession);
  }, []);
  useEffect(() => {
    let live = true;
    void loadSession().then((state) => {
      if (live) setSession(state);
    });
    return () => {
      live = false;
    };
  }, [attempt]);

  const sessionLost = useCallback(() => {
    // The live stream was refused: ask who we are, which sends us to sign in once if the session is gone.
    void loadSession().then((state) => {
      if (state.kind !== 'signed-in') setSession(state);
    });
  }, []);

  switch (session.kind) {
    case 'loading':
      return <p className="page-message">{t('app.loading')}</p>;
    case 'redirecting':
      return <p className="page-message">{t('app.redirecting')}</p>;
    case 'sign-in-failed':
      return (
        <main className="page-message">
          <p role="alert">{t('app.signInFailed')}</p>
          <a href={signInUrl()}>{t('app.signInAgain')}</a>
        </main>
      );
    case 'error':
      return (
        <main className="page-message">
          <p role="alert">{t('app.error', { message: session.message })}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('app.retry')}
          </button>
        </main>
      );
    case 'signed-in':
      break;
  }
  const me = session.me;
  const pages = PAGES.filter((p) => p.permission === undefined || me.permissions.includes(p.permission));
  const page = pageOf(pages, window.location.pathname);
  const language = (LANGUAGES as readonly string[]).includes(i18n.language)
    ? (i18n.language as Language)
    : 'en';
  return (
    <div className="app">
      <a className="skip" href="#map">
        {t('app.skipToMap')}
      </a>
      <header className="header">
        <h1 className="brand">{t('app.title')}</h1>
        <nav aria-label={t('app.nav')}>
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <a href={p.path} aria-current={p === page ? 'page' : undefined}>
                  {t(`app.${p.label}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <label className="language">
            <span>{t('app.language')}</span>
            <select
              value={language}
              data-testid="language"
              onChange={(e) => void chooseLanguage(e.target.value as Language)}
            >
              <option value="zh" lang="zh-CN">
                中文
              </option>
              <option value="en" lang="en">
                English
              </option>
            </select>
          </label>
          <span className="who" data-testid="who">
            {t('app.signedInAs', { subject: session.me.subject, roles: session.me.roles.join(', ') })}
          </span>
          {/* The gateway's own endpoint clears the HttpOnly cookie and shows the sign-in page. */}
          <form method="post" action="/auth/logout">
            <button type="submit">{t('app.signOut')}</button>
          </form>
        </div>
      </header>
      <main className="main">
        {page ? (
          page.render({ onSessionLost: sessionLost, me })
        ) : (
          <div className="page-message">
            <p>{t('app.notFound')}</p>
            <a href="/">{t('app.backToMap')}</a>
          </div>
        )}
      </main>
    </div>
  );
}
