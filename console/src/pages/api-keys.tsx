import { useCallback, useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorMessage } from '../components/error-message.js';
import { call, type Failure, failureOf, type Schemas } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { useTitle } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';
import { CreateKeyForm } from './create-key-form.js';

type Key = Schemas['ApiKeyDto'];
const PAGE_SIZE = 20;

/** API keys (admin): create one (its secret is shown once), list them, revoke one. */
export function ApiKeys({ onOwnKeyRevoked }: { onOwnKeyRevoked: () => void }) {
  useTitle('API keys');
  const session = useSession();
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Schemas['ApiKeyListDto']>();
  const [failure, setFailure] = useState<Failure>();
  const [revoking, setRevoking] = useState<Key>();

  const load = useCallback(() => {
    call(session.api.GET('/api/v1/api-keys', { params: { query: { page, limit: PAGE_SIZE } } }))
      .then((keys) => (setList(keys), setFailure(undefined)))
      .catch((error: unknown) => setFailure(failureOf(error)));
  }, [session.api, page]);
  useEffect(load, [load]);

  const revoke = async (key: Key) => {
    setRevoking(undefined);
    try {
      await call(session.api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: key.id } } }));
      if (key.id === session.me.id) return onOwnKeyRevoked();
      load();
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  const pages = list ? Math.max(1, Math.ceil(list.total / list.limit)) : 1;
  return (
    <>
      <h1 tabIndex={-1}>API keys</h1>
      <CreateKeyForm onCreated={load} />
      <ErrorMessage failure={failure} />
      {list && (
        <section class="card" aria-labelledby="keys-title">
          <h2 id="keys-title">Keys ({list.total})</h2>
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Limits per minute</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((key) => (
                  <tr key={key.id} data-testid="api-key-row">
                    <td>
                      {key.name}
                      {key.id === session.me.id && <span class="badge">this session</span>}
                    </td>
                    <td>
                      <code>{key.prefix}</code>
                    </td>
                    <td>{key.scopes.join(', ')}</td>
                    <td>
                      {key.rate_limit_per_minute ?? 'default'} / {key.inference_limit_per_minute ?? 'default'}{' '}
                      inference
                    </td>
                    <td>{dateTime(key.last_used_at)}</td>
                    <td>
                      {key.revoked_at
                        ? `Revoked ${dateTime(key.revoked_at)}`
                        : `Active since ${dateTime(key.created_at)}`}
                    </td>
                    <td>
                      {!key.revoked_at && (
                        <button type="button" class="link danger-text" onClick={() => setRevoking(key)}>
                          Revoke<span class="visually-hidden"> {key.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <nav class="pager" aria-label="Pages">
              <button type="button" class="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous page
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button
                type="button"
                class="secondary"
                disabled={page >= pages}
                onClick={() => setPage(page + 1)}
              >
                Next page
              </button>
            </nav>
          )}
        </section>
      )}
      <ConfirmDialog
        open={revoking !== undefined}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke"
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(undefined)}
      >
        <p>Every request with this key is refused from now on. A revoked key cannot be restored.</p>
        {revoking?.id === session.me.id && (
          <p>
            <strong>This is the key you are signed in with: you will be signed out.</strong>
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
