import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { type FaceMark, FaceFigure, overlap } from '../components/face-figure.js';
import { PhotoInput } from '../components/photo-input.js';
import { UploadProgress } from '../components/upload-progress.js';
import {
  call,
  callWithResponse,
  type Failure,
  failureOf,
  localDeadline,
  type Schemas,
  toFormData,
  uploadClient,
} from '../lib/api.js';
import { percent } from '../lib/format.js';
import { useObjectUrl, useTitle } from '../lib/hooks.js';
import { can, useSession } from '../lib/session.js';
import { EnrolFromRequest } from './enrol-request.js';

type Recognition = Schemas['RecogniseMatchDto'] | Schemas['RecogniseNoMatchDto'];
interface Outcome {
  recognition: Recognition;
  faces: Schemas['DetectedFaceDto'][];
  /** When the req_id of an unmatched face expires, on this browser's clock. */
  deadline?: number;
}

/**
 * Recognise: who is in this photo? The service matches the main face (recognise_user: the most prominent, large and near the centre); every
 * other face is found with faces/detect so the whole photo can be outlined.
 */
export function Recognise() {
  useTitle('Recognise');
  const session = useSession();
  const [photo, setPhoto] = useState<File>();
  const url = useObjectUrl(photo);
  const [outcome, setOutcome] = useState<Outcome>();
  const [failure, setFailure] = useState<Failure>();
  const [progress, setProgress] = useState<number>();

  const recognise = async (file: File) => {
    setPhoto(file);
    setOutcome(undefined);
    setFailure(undefined);
    setProgress(0);
    try {
      const upload = { body: { image: file }, bodySerializer: toFormData };
      const [recognised, detected] = await Promise.all([
        callWithResponse(uploadClient(session.key, setProgress).POST('/api/v1/recognise_user', upload)),
        call(session.api.POST('/api/v1/faces/detect', upload)),
      ]);
      const recognition = recognised.data;
      setOutcome({
        recognition,
        faces: detected.faces,
        ...(recognition.status === 'failure' && {
          deadline: localDeadline(recognition.expiresAt, recognised.response),
        }),
      });
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Recognise</h1>
      <p class="lead">Upload a photo or take one with the webcam: the service tells who the main face is.</p>
      <div class="card">
        <PhotoInput
          label="Photo"
          onPhotos={([file]) => file && void recognise(file)}
          disabled={progress !== undefined}
        />
        <UploadProgress fraction={progress} />
      </div>
      <section aria-live="polite" aria-label="Result" class="result">
        <ErrorMessage failure={failure} />
        {url && outcome && <RecognitionResult url={url} outcome={outcome} />}
        {url && !outcome && <FaceFigure src={url} alt="The photo sent" marks={[]} />}
      </section>
      {outcome?.recognition.status === 'failure' &&
        (can(session.me, 'enroll') ? (
          <EnrolFromRequest
            key={outcome.recognition.req_id}
            reqId={outcome.recognition.req_id}
            deadline={outcome.deadline ?? Date.parse(outcome.recognition.expiresAt)}
          />
        ) : (
          <p class="notice">This key cannot enrol people (it lacks the enroll scope).</p>
        ))}
    </>
  );
}

function RecognitionResult({ url, outcome }: { url: string; outcome: Outcome }) {
  const { recognition, faces } = outcome;
  const chosen = recognition.metadata.box;
  const matched = recognition.status === 'success';
  const marks: FaceMark[] = [
    matched
      ? {
          box: chosen,
          label: `${recognition.user_info.name} · ${percent(recognition.similarity)}`,
          tone: 'match',
        }
      : { box: chosen, label: 'Unknown', tone: 'unknown' },
    // The other faces, which recognition does not look at (it takes the main face).
    ...faces
      .filter((face) => overlap(face.box, chosen) < 0.5)
      .map((face): FaceMark => ({ box: face.box, label: 'Not checked', tone: 'other' })),
  ];
  const count = recognition.metadata.faces_detected;
  return (
    <div class="result-grid">
      <FaceFigure
        src={url}
        alt={matched ? `Photo recognised as ${recognition.user_info.name}` : 'Photo of an unknown person'}
        marks={marks}
        caption={count > 1 ? `${count} faces found; the main face was checked.` : undefined}
      />
      <div class={`verdict ${matched ? 'verdict-ok' : 'verdict-unknown'}`} data-testid="recognition-verdict">
        {matched ? (
          <>
            <p class="verdict-title">Recognised: {recognition.user_info.name}</p>
            <dl class="facts">
              <dt>Similarity</dt>
              <dd>{percent(recognition.similarity)}</dd>
              <dt>Distance</dt>
              <dd>
                {recognition.distance.toFixed(3)} (threshold {recognition.threshold.toFixed(3)})
              </dd>
              {recognition.user_info.email && (
                <>
                  <dt>E-mail</dt>
                  <dd>{recognition.user_info.email}</dd>
                </>
              )}
              <dt>Birthdate</dt>
              <dd>{recognition.user_info.birthdate}</dd>
            </dl>
          </>
        ) : (
          <>
            <p class="verdict-title">Unknown person</p>
            <p>Nobody enrolled matches this face closely enough.</p>
          </>
        )}
      </div>
    </div>
  );
}
