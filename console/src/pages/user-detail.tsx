import { useCallback, useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorMessage } from '../components/error-message.js';
import { call, type Failure, failureOf, type Schemas } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { useTitle } from '../lib/hooks.js';
import { href, navigate } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { UserEditForm } from './user-edit-form.js';
import { UserFaces } from './user-faces.js';

/** One user: details, edit, faces (add and remove), delete. */
export function UserDetail({ id }: { id: string }) {
  const session = useSession();
  const [user, setUser] = useState<Schemas['UserDetailDto']>();
  const [failure, setFailure] = useState<Failure>();
  const [confirming, setConfirming] = useState(false);
  useTitle(user ? user.name : 'User');

  const load = useCallback(() => {
    call(session.api.GET('/api/v1/users/{id}', { params: { path: { id } } }))
      .then((found) => (setUser(found), setFailure(undefined)))
      .catch((error: unknown) => setFailure(failureOf(error)));
  }, [session.api, id]);
  useEffect(load, [load]);

  const remove = async () => {
    setConfirming(false);
    try {
      await call(session.api.DELETE('/api/v1/users/{id}', { params: { path: { id } } }));
      navigate('/users');
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  if (!user) {
    return (
      <>
        <h1 tabIndex={-1}>User</h1>
        <ErrorMessage failure={failure} />
        {!failure && <p role="status">Loading…</p>}
        <p>
          <a href={href('/users')}>Back to users</a>
        </p>
      </>
    );
  }
  return (
    <>
      <p class="breadcrumb">
        <a href={href('/users')}>Users</a> / {user.name}
      </p>
      <h1 tabIndex={-1}>{user.name}</h1>
      <p class="hint">
        Id <code>{user.id}</code> · enrolled {dateTime(user.created_at)} · changed {dateTime(user.updated_at)}
      </p>
      {can(session.me, 'recognise') && (
        <p>
          <a href={href(`/verify?user_id=${user.id}`)}>Verify a photo against {user.name}</a>
        </p>
      )}
      <ErrorMessage failure={failure} />
      <UserEditForm user={user} onSaved={load} />
      <UserFaces user={user} onChanged={load} />
      <section class="card danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete</h2>
        <p>Deletes {user.name} with every face and vector. This cannot be undone.</p>
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete user
        </button>
      </section>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${user.name}?`}
        confirmLabel="Delete"
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {user.name} and {user.face_count} {user.face_count === 1 ? 'face' : 'faces'} will be deleted for
          good.
        </p>
      </ConfirmDialog>
    </>
  );
}
