import { useEffect, useRef, useState } from 'preact/hooks';
import { type Failure, failureOf, handleUnauthorised } from './lib/api.js';
import { BASE, href, isPlainClick, navigate, useRoute } from './lib/router.js';
import { can, forgetKey, openSession, type Session, SessionContext, storedKey } from './lib/session.js';
import { DESTINATIONS, match } from './routes.js';
import { SignIn } from './pages/sign-in.js';

/** The console: sign-in until a key is accepted, then the pages that key may use. */
export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const [notice, setNotice] = useState<Failure>();

  const signOut = (reason?: Failure) => {
    forgetKey();
    setSession(undefined);
    setNotice(reason);
  };

  useEffect(() => {
    handleUnauthorised((failure) => signOut(failure));
    const key = storedKey();
    if (!key) return;
    openSession(key)
      .then(setSession)
      .catch((error: unknown) => signOut(failureOf(error)))
      .finally(() => setRestoring(false));
  }, []);

  useLinkInterception();

  if (restoring)
    return (
      <p class="loading" role="status">
        Signing in…
      </p>
    );
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(opened) => {
          setNotice(undefined);
          setSession(opened);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} onSignOut={() => signOut()} />
    </SessionContext.Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const found = match(route, { signOut: onSignOut });
  const allowed = !found?.destination?.scope || can(session.me, found.destination.scope);
  useFocusOnNavigation(route);
  const { active } = session.models;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href('/')}>
          Face Recognition Console
        </a>
        <div class="who">
          <span>
            <strong data-testid="key-name">{session.me.name}</strong> <code>{session.me.prefix}</code>
          </span>
          <span class="scopes" aria-label="Scopes">
            {session.me.scopes.map((scope) => (
              <span class="badge" key={scope}>
                {scope}
              </span>
            ))}
          </span>
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="side" aria-label="Pages">
        <ul>
          {DESTINATIONS.filter((d) => !d.scope || can(session.me, d.scope)).map((d) => (
            <li key={d.route}>
              <a href={href(d.route)} aria-current={found?.destination === d ? 'page' : undefined}>
                {d.label}
              </a>
            </li>
          ))}
        </ul>
        <p class="model-line">
          <a href={href('/model')}>
            Model {active.name}:{' '}
            {active.licence.commercial_use ? 'commercial use allowed' : 'non-commercial use only'}
          </a>
        </p>
      </nav>
      <main id="main" tabIndex={-1}>
        {!found ? (
          <NotFound />
        ) : allowed ? (
          found.render()
        ) : (
          <NotAllowed scope={found.destination?.scope ?? 'admin'} />
        )}
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no such page in the console. <a href={href('/')}>Go to the overview</a>.
      </p>
    </>
  );
}

function NotAllowed({ scope }: { scope: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Not available with this key</h1>
      <p class="notice notice-warn" data-testid="not-allowed">
        This page needs an API key with the <strong>{scope}</strong> scope. Sign in with such a key, or ask an
        administrator for one.
      </p>
    </>
  );
}

/** Links to console pages change the page without reloading it (and without losing the session). */
function useLinkInterception(): void {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || !isPlainClick(event)) return;
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor || anchor.target || anchor.origin !== location.origin) return;
      if (!anchor.pathname.startsWith(BASE)) return;
      event.preventDefault();
      navigate(`${anchor.pathname.slice(BASE.length) || '/'}${anchor.search}`);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, []);
}

/** After a navigation, focus moves to the new page's heading, as a page load would for a screen reader. */
function useFocusOnNavigation(route: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
    scrollTo(0, 0);
  }, [route]);
}
