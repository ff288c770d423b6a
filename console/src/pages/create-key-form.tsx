import { useRef, useState } from 'preact/hooks';
import { CopyButton } from '../components/copy-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { TextField } from '../components/text-field.js';
import { call, type Failure, failureOf, fieldErrors, type Schemas } from '../lib/api.js';
import { type Scope, useSession } from '../lib/session.js';

const SCOPES: Array<[Scope, string]> = [
  ['recognise', 'recognise, identify, verify, detect and embed faces'],
  ['enroll', 'enrol people and add faces'],
  ['manage', 'read, edit and delete users; statistics'],
  ['metrics', 'the Prometheus metrics, nothing else'],
  ['admin', 'API keys, and everything else'],
];

/** Create a key: name, scopes and optional limits. The secret appears once, with a copy button. */
export function CreateKeyForm({ onCreated }: { onCreated: () => void }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['recognise']);
  const [rate, setRate] = useState('');
  const [inference, setInference] = useState('');
  const [failure, setFailure] = useState<Failure>();
  const [created, setCreated] = useState<Schemas['CreatedApiKeyDto']>();
  const [busy, setBusy] = useState(false);
  const secret = useRef<HTMLInputElement>(null);

  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const body = {
        name: name.trim(),
        scopes,
        ...(rate && { rate_limit_per_minute: Number(rate) }),
        ...(inference && { inference_limit_per_minute: Number(inference) }),
      };
      setCreated(await call(session.api.POST('/api/v1/api-keys', { body })));
      setName('');
      onCreated();
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {created && (
        <div class="notice notice-ok secret" role="status" aria-labelledby="secret-title">
          <p class="notice-title" id="secret-title">
            Key “{created.name}” created. Copy it now: it is not stored and will not be shown again.
          </p>
          <div class="secret-row">
            <label class="visually-hidden" for="new-key">
              New API key
            </label>
            <input
              id="new-key"
              ref={secret}
              readOnly
              value={created.key}
              data-testid="new-key"
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton text={created.key} label="Copy key" fallbackInput={() => secret.current} />
          </div>
          <button type="button" class="link" onClick={() => setCreated(undefined)}>
            I have copied it; hide the key
          </button>
        </div>
      )}
      <form class="card" onSubmit={(event) => void create(event)} aria-labelledby="create-title">
        <h2 id="create-title">Create a key</h2>
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={setName}
          required
          maxLength={100}
          hint="What the key is for, e.g. front-desk kiosk"
          errors={fieldErrors(failure, 'name')}
        />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map(([scope, meaning]) => (
            <label class="check" key={scope}>
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(event) => toggle(scope, event.currentTarget.checked)}
              />
              <span>
                <strong>{scope}</strong>: {meaning}
              </span>
            </label>
          ))}
        </fieldset>
        <div class="row">
          <TextField
            label="Requests per minute"
            name="rate_limit_per_minute"
            type="number"
            min={1}
            value={rate}
            onValue={setRate}
            hint="Empty: the server default"
            errors={fieldErrors(failure, 'rate_limit_per_minute')}
          />
          <TextField
            label="Inference requests per minute"
            name="inference_limit_per_minute"
            type="number"
            min={1}
            value={inference}
            onValue={setInference}
            hint="Empty: the server default"
            errors={fieldErrors(failure, 'inference_limit_per_minute')}
          />
        </div>
        <ErrorMessage failure={failure} />
        <div class="actions">
          <button type="submit" disabled={busy || scopes.length === 0 || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </>
  );
}
