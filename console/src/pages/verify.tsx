import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { FaceFigure } from '../components/face-figure.js';
import { PhotoInput } from '../components/photo-input.js';
import { TextField } from '../components/text-field.js';
import { UploadProgress } from '../components/upload-progress.js';
import {
  call,
  type Failure,
  failureOf,
  fieldErrors,
  type Schemas,
  toFormData,
  uploadClient,
} from '../lib/api.js';
import { percent } from '../lib/format.js';
import { useObjectUrl, useTitle } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';

type Mode = 'photos' | 'user';

/** Verify (1:1): are these two photos, or this photo and that enrolled user, the same person? */
export function Verify() {
  useTitle('Verify');
  const session = useSession();
  const initialUser = new URLSearchParams(location.search).get('user_id') ?? '';
  const [mode, setMode] = useState<Mode>(initialUser ? 'user' : 'photos');
  const [first, setFirst] = useState<File>();
  const [second, setSecond] = useState<File>();
  const [userId, setUserId] = useState(initialUser);
  const [result, setResult] = useState<Schemas['VerifyResponseDto']>();
  const [failure, setFailure] = useState<Failure>();
  const [progress, setProgress] = useState<number>();
  const firstUrl = useObjectUrl(first);
  const secondUrl = useObjectUrl(mode === 'photos' ? second : undefined);
  const ready = first && (mode === 'photos' ? second : userId.trim());

  const verify = async (event: Event) => {
    event.preventDefault();
    if (!first) return;
    setResult(undefined);
    setFailure(undefined);
    setProgress(0);
    try {
      const body =
        mode === 'photos' ? { image1: first, image2: second } : { image1: first, user_id: userId.trim() };
      setResult(
        await call(
          uploadClient(session.key, setProgress).POST('/api/v1/verify', { body, bodySerializer: toFormData }),
        ),
      );
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setProgress(undefined);
    }
  };

  const mark = (index: number) => {
    const face = result?.faces[index];
    if (!face || !result) return [];
    return [
      {
        box: face.box,
        label: result.verified ? 'Same person' : 'Not the same',
        tone: result.verified ? 'match' : 'unknown',
      } as const,
    ];
  };

  return (
    <>
      <h1 tabIndex={-1}>Verify</h1>
      <p class="lead">One to one: is this the same person?</p>
      <form class="card" onSubmit={(event) => void verify(event)}>
        <fieldset>
          <legend>Compare the photo with</legend>
          <label class="inline">
            <input type="radio" name="mode" checked={mode === 'photos'} onChange={() => setMode('photos')} />{' '}
            another photo
          </label>
          <label class="inline">
            <input type="radio" name="mode" checked={mode === 'user'} onChange={() => setMode('user')} /> an
            enrolled user
          </label>
        </fieldset>
        <PhotoInput label="First photo" onPhotos={([file]) => setFirst(file)} />
        {first && <p class="hint">Chosen: {first.name}</p>}
        {mode === 'photos' ? (
          <>
            <PhotoInput label="Second photo" onPhotos={([file]) => setSecond(file)} />
            {second && <p class="hint">Chosen: {second.name}</p>}
          </>
        ) : (
          <TextField
            label="User id"
            name="user_id"
            value={userId}
            onValue={setUserId}
            required
            hint="The id of an enrolled user (Users page)"
            errors={fieldErrors(failure, 'user_id')}
          />
        )}
        <UploadProgress fraction={progress} />
        <div class="actions">
          <button type="submit" disabled={!ready || progress !== undefined}>
            Verify
          </button>
        </div>
      </form>
      <section aria-live="polite" aria-label="Result" class="result">
        <ErrorMessage failure={failure} />
        {result && (
          <div
            class={`verdict ${result.verified ? 'verdict-ok' : 'verdict-unknown'}`}
            data-testid="verify-verdict"
          >
            <p class="verdict-title">{result.verified ? 'The same person' : 'Not the same person'}</p>
            <p>
              Similarity {percent(result.similarity)} · distance {result.distance.toFixed(3)} (accepted up to{' '}
              {result.threshold.toFixed(3)}) · model {result.model}
            </p>
          </div>
        )}
        <div class="pair">
          {firstUrl && <FaceFigure src={firstUrl} alt="First photo" marks={mark(0)} />}
          {secondUrl && <FaceFigure src={secondUrl} alt="Second photo" marks={mark(1)} />}
        </div>
      </section>
    </>
  );
}
