import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { FaceFigure, type FaceMark } from '../components/face-figure.js';
import { PhotoInput } from '../components/photo-input.js';
import { UploadProgress } from '../components/upload-progress.js';
import { call, type Failure, failureOf, type Schemas, toFormData, uploadClient } from '../lib/api.js';
import { percent } from '../lib/format.js';
import { useObjectUrl, useTitle } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';

type Identification = Schemas['IdentifyResponseDto'];

const OUTCOMES: Record<Identification['result'], string> = {
  identified: 'Identified',
  unknown: 'Unknown: nobody is close enough',
  ambiguous: 'Ambiguous: several people are about as close',
};

/** Identify (1:N): the closest enrolled people to the main face, with an explicit "unknown". */
export function Identify() {
  useTitle('Identify');
  const session = useSession();
  const [photo, setPhoto] = useState<File>();
  const [topK, setTopK] = useState(5);
  const [result, setResult] = useState<Identification>();
  const [failure, setFailure] = useState<Failure>();
  const [progress, setProgress] = useState<number>();
  const url = useObjectUrl(photo);

  const identify = async (event: Event) => {
    event.preventDefault();
    if (!photo) return;
    setResult(undefined);
    setFailure(undefined);
    setProgress(0);
    try {
      setResult(
        await call(
          uploadClient(session.key, setProgress).POST('/api/v1/identify', {
            body: { image: photo, top_k: topK },
            bodySerializer: toFormData,
          }),
        ),
      );
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setProgress(undefined);
    }
  };

  const best = result?.candidates[0];
  const marks: FaceMark[] = result
    ? [
        {
          box: result.metadata.box,
          label:
            result.result === 'identified' && best
              ? `${best.user_info.name} · ${percent(best.similarity)}`
              : result.result === 'ambiguous'
                ? 'Ambiguous'
                : 'Unknown',
          tone: result.result === 'identified' ? 'match' : 'unknown',
        },
      ]
    : [];

  return (
    <>
      <h1 tabIndex={-1}>Identify</h1>
      <p class="lead">One to many: who, among everyone enrolled, is closest to this face?</p>
      <form class="card" onSubmit={(event) => void identify(event)}>
        <PhotoInput label="Photo" onPhotos={([file]) => setPhoto(file)} />
        <div class="field">
          <label for="top-k">Candidates to list</label>
          <input
            id="top-k"
            type="number"
            min={1}
            max={20}
            value={topK}
            onInput={(event) => setTopK(Math.min(20, Math.max(1, Number(event.currentTarget.value) || 1)))}
          />
        </div>
        <UploadProgress fraction={progress} />
        <div class="actions">
          <button type="submit" disabled={!photo || progress !== undefined}>
            Identify
          </button>
        </div>
      </form>
      <section aria-live="polite" aria-label="Result" class="result">
        <ErrorMessage failure={failure} />
        {url && (
          <div class="result-grid">
            <FaceFigure src={url} alt="The photo sent" marks={marks} />
            {result && (
              <div
                class={`verdict ${result.result === 'identified' ? 'verdict-ok' : 'verdict-unknown'}`}
                data-testid="identify-verdict"
              >
                <p class="verdict-title">{OUTCOMES[result.result]}</p>
                <p class="hint">
                  Accepted up to distance {result.threshold.toFixed(3)}, and {result.margin.toFixed(3)} closer
                  than the runner-up.
                </p>
                {result.candidates.length > 0 && (
                  <table>
                    <caption>Closest enrolled people</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Similarity</th>
                        <th scope="col">Distance</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.candidates.map((candidate) => (
                        <tr key={candidate.user_info.id}>
                          <td>
                            {can(session.me, 'manage') ? (
                              <a href={href(`/users/${candidate.user_info.id}`)}>
                                {candidate.user_info.name}
                              </a>
                            ) : (
                              candidate.user_info.name
                            )}
                          </td>
                          <td>{percent(candidate.similarity)}</td>
                          <td>{candidate.distance.toFixed(3)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            )}
          </div>
        )}
      </section>
    </>
  );
}
