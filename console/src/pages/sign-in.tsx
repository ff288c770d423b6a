import { useId, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { type Failure, failureOf } from '../lib/api.js';
import { useTitle } from '../lib/hooks.js';
import { openSession, type Session } from '../lib/session.js';

/**
 * Sign in with an API key. The key is checked against the service (GET /api-keys/me) before it is
 * kept, and kept for this tab only.
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: Failure }) {
  useTitle('Sign in');
  const id = useId();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | undefined>(notice);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      onSignedIn(await openSession(key.trim()));
    } catch (error) {
      setFailure(failureOf(error));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1 tabIndex={-1}>Face Recognition Console</h1>
      <p>
        Sign in with an API key. The console can do what the key’s scopes allow and hides the rest. The key
        stays in this tab only and is forgotten when the tab closes.
      </p>
      <form onSubmit={(event) => void submit(event)} class="card">
        <div class="field">
          <label for={id}>API key</label>
          <input
            id={id}
            name="api-key"
            type="password"
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            autoComplete="off"
            spellcheck={false}
            required
            aria-describedby={`${id}-hint`}
          />
          <p class="hint" id={`${id}-hint`}>
            Starts with <code>frk_live_</code>. The first start of the service prints an admin key; an admin
            can create narrower keys here.
          </p>
        </div>
        <ErrorMessage
          failure={failure}
          title={failure?.status === 401 ? 'This key was refused' : undefined}
        />
        <div class="actions">
          <button type="submit" disabled={busy || key.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p class="hint">
        Prefer the raw API? Its documentation is at <a href="/docs">/docs</a>.
      </p>
    </main>
  );
}
