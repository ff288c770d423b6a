import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { PersonFields } from '../components/person-fields.js';
import { call, type Failure, failureOf, type Schemas } from '../lib/api.js';
import { useSession } from '../lib/session.js';

/** Change a user's name, birthdate or e-mail; only the fields that changed are sent. */
export function UserEditForm({ user, onSaved }: { user: Schemas['UserDetailDto']; onSaved: () => void }) {
  const session = useSession();
  const [name, setName] = useState(user.name);
  const [birthdate, setBirthdate] = useState(user.birthdate);
  const [email, setEmail] = useState(user.email ?? '');
  const [failure, setFailure] = useState<Failure>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setName(user.name);
    setBirthdate(user.birthdate);
    setEmail(user.email ?? '');
  }, [user]);

  const changes = {
    ...(name.trim() !== user.name && { name: name.trim() }),
    ...(birthdate !== user.birthdate && { birthdate }),
    // The API changes an e-mail but cannot remove one: an emptied field is left as it was.
    ...(email.trim() !== '' && email.trim() !== (user.email ?? '') && { email: email.trim() }),
  };
  const dirty = Object.keys(changes).length > 0;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    setSaved(false);
    try {
      await call(
        session.api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: changes }),
      );
      setSaved(true);
      onSaved();
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={(event) => void save(event)} aria-labelledby="edit-title">
      <h2 id="edit-title">Details</h2>
      <PersonFields
        name={name}
        birthdate={birthdate}
        email={email}
        onName={setName}
        onBirthdate={setBirthdate}
        onEmail={setEmail}
        failure={failure}
        autoComplete={false}
        emailHint="An e-mail can be changed but not removed."
      />
      <ErrorMessage failure={failure} />
      <div class="actions">
        <button type="submit" disabled={!dirty || busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        {saved && !dirty && <span role="status">Saved</span>}
      </div>
    </form>
  );
}
