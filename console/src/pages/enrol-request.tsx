import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { PersonFields } from '../components/person-fields.js';
import { call, type Failure, failureOf } from '../lib/api.js';
import { duration } from '../lib/format.js';
import { useNow } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';

/**
 * "Enrol this person": enrols the face an unmatched recognition kept under `reqId`, without
 * uploading the photo again. The service holds it until `deadline` (on this browser's clock), so
 * the form counts down and gives up when it has expired.
 */
export function EnrolFromRequest({ reqId, deadline }: { reqId: string; deadline: number }) {
  const session = useSession();
  const now = useNow();
  const [name, setName] = useState('');
  const [birthdate, setBirthdate] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [enrolled, setEnrolled] = useState<{ userId: string; name: string }>();
  const left = deadline - now;
  const expired = left <= 0;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const body = { name, birthdate, req_id: reqId, ...(email.trim() && { email: email.trim() }) };
      const result = await call(session.api.POST('/api/v1/add_user', { body }));
      setEnrolled({ userId: result.user_id, name: name.trim() });
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  };

  if (enrolled) {
    return (
      <div class="notice notice-ok" role="status">
        <p class="notice-title">Enrolled {enrolled.name}</p>
        <p>The next photo of this person will be recognised.</p>
        {can(session.me, 'manage') && (
          <a href={href(`/users/${enrolled.userId}`)}>Open {enrolled.name}’s record</a>
        )}
      </div>
    );
  }
  return (
    <form class="card" onSubmit={(event) => void submit(event)} aria-labelledby="enrol-request-title">
      <h2 id="enrol-request-title">Enrol this person</h2>
      <p>
        The service keeps this face under <code data-testid="req-id">{reqId}</code>{' '}
        {expired ? (
          <strong class="expired" role="alert">
            but it has expired: recognise the photo again to enrol it.
          </strong>
        ) : (
          <span data-testid="req-expiry">
            for another <span class="countdown">{duration(left)}</span>.
          </span>
        )}
      </p>
      <PersonFields
        name={name}
        birthdate={birthdate}
        email={email}
        onName={setName}
        onBirthdate={setBirthdate}
        onEmail={setEmail}
        failure={failure}
      />
      <ErrorMessage failure={failure} />
      <div class="actions">
        <button type="submit" disabled={busy || expired}>
          {busy ? 'Enrolling…' : 'Enrol'}
        </button>
      </div>
    </form>
  );
}
