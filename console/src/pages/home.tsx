import { useTitle } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { LicenceNotice } from './model.js';
import type { Destination } from '../routes.js';

/** Where a signed-in person starts: what this key is, what it may do, and which model runs. */
export function Home({ destinations }: { destinations: Destination[] }) {
  useTitle('Overview');
  const { me, models } = useSession();
  const open = destinations.filter((d) => d.route !== '/' && (!d.scope || can(me, d.scope)));
  const closed = destinations.filter((d) => d.scope && !can(me, d.scope));
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <section class="card" aria-labelledby="key-title">
        <h2 id="key-title">Signed in as {me.name}</h2>
        <dl class="facts">
          <dt>Key</dt>
          <dd>
            <code>{me.prefix}</code>
          </dd>
          <dt>Scopes</dt>
          <dd data-testid="key-scopes">{me.scopes.join(', ')}</dd>
          <dt>Rate limit</dt>
          <dd>
            {me.limits.default.limit} requests per {me.limits.default.window_seconds} s, of which{' '}
            {me.limits.inference.limit} may run the models
          </dd>
        </dl>
      </section>
      <section aria-labelledby="do-title">
        <h2 id="do-title">What you can do</h2>
        <ul class="destinations">
          {open.map((d) => (
            <li key={d.route}>
              <a href={href(d.route)}>{d.label}</a>
              <span class="hint"> — {d.summary}</span>
            </li>
          ))}
        </ul>
        {closed.length > 0 && (
          <p class="hint">
            Not with this key: {closed.map((d) => `${d.label} (needs ${d.scope})`).join(', ')}.
          </p>
        )}
      </section>
      <LicenceNotice profile={models.active} />
    </>
  );
}
