import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { PhotoInput } from '../components/photo-input.js';
import { PersonFields } from '../components/person-fields.js';
import { UploadProgress } from '../components/upload-progress.js';
import { call, type Failure, failureOf, toFormData, uploadClient } from '../lib/api.js';
import { useTitle } from '../lib/hooks.js';
import { assessForEnrolment, type Verdict, worst } from '../lib/quality.js';
import { href } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { PhotoCard } from './photo-card.js';

export interface Candidate {
  id: number;
  file: File;
  /** undefined while the quality check runs; null when this key cannot run it. */
  verdicts?: Verdict[] | null;
  checkFailure?: Failure;
  /** How the upload went, once submitted. */
  uploaded?: 'ok' | Failure;
}

let nextId = 1;

/**
 * Enrol a person from one or more photos. Each photo is checked with faces/detect against the
 * service's enrolment gate as soon as it is chosen, so a photo the service would refuse (no
 * face, too small, turned, blurred) is flagged before anything is submitted.
 */
export function Enrol() {
  useTitle('Enrol');
  const session = useSession();
  const [name, setName] = useState('');
  const [birthdate, setBirthdate] = useState('');
  const [email, setEmail] = useState('');
  const [photos, setPhotos] = useState<Candidate[]>([]);
  const [progress, setProgress] = useState<number>();
  const [failure, setFailure] = useState<Failure>();
  const [enrolled, setEnrolled] = useState<{ userId: string; name: string; faces: number }>();
  const checks = can(session.me, 'recognise');

  const update = (id: number, change: Partial<Candidate>) =>
    setPhotos((list) => list.map((photo) => (photo.id === id ? { ...photo, ...change } : photo)));

  const add = (files: File[]) => {
    const added = files.map((file): Candidate => ({
      id: nextId++,
      file,
      ...(checks ? {} : { verdicts: null }),
    }));
    setPhotos((list) => [...list, ...added]);
    if (!checks) return;
    for (const photo of added) {
      call(
        session.api.POST('/api/v1/faces/detect', { body: { image: photo.file }, bodySerializer: toFormData }),
      )
        .then((detection) =>
          update(photo.id, { verdicts: assessForEnrolment(detection, session.models.enrolment_gate) }),
        )
        .catch((error: unknown) => update(photo.id, { verdicts: [], checkFailure: failureOf(error) }));
    }
  };

  const blocked = photos.some((p) => p.checkFailure || (p.verdicts && worst(p.verdicts) === 'error'));
  const pending = photos.some((p) => p.verdicts === undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    const [first, ...rest] = photos;
    if (!first) return;
    setFailure(undefined);
    setProgress(0);
    try {
      const fields = { name, birthdate, ...(email.trim() && { email: email.trim() }) };
      const created = await call(
        uploadClient(session.key, setProgress).POST('/api/v1/add_user', {
          body: { ...fields, image: first.file },
          bodySerializer: toFormData,
        }),
      );
      update(first.id, { uploaded: 'ok' });
      let faces = 1;
      for (const photo of rest) {
        setProgress(0);
        try {
          await call(
            uploadClient(session.key, setProgress).POST('/api/v1/users/{id}/faces', {
              params: { path: { id: created.user_id } },
              body: { image: photo.file },
              bodySerializer: toFormData,
            }),
          );
          update(photo.id, { uploaded: 'ok' });
          faces++;
        } catch (error) {
          update(photo.id, { uploaded: failureOf(error) });
        }
      }
      setEnrolled({ userId: created.user_id, name: name.trim(), faces });
    } catch (error) {
      const refused = failureOf(error);
      setFailure(refused);
      update(first.id, { uploaded: refused });
    } finally {
      setProgress(undefined);
    }
  };

  const reset = () => {
    setName('');
    setBirthdate('');
    setEmail('');
    setPhotos([]);
    setEnrolled(undefined);
  };

  return (
    <>
      <h1 tabIndex={-1}>Enrol a person</h1>
      <p class="lead">Name, birthdate, an optional e-mail and one or more photos facing the camera.</p>
      {enrolled && (
        <div class="notice notice-ok" role="status">
          <p class="notice-title">
            Enrolled {enrolled.name} with {enrolled.faces} {enrolled.faces === 1 ? 'photo' : 'photos'}
          </p>
          {photos.some((p) => p.uploaded && p.uploaded !== 'ok') && (
            <p>Some photos were refused; see below.</p>
          )}
          <p class="actions">
            {can(session.me, 'manage') && <a href={href(`/users/${enrolled.userId}`)}>Open the record</a>}
            <button type="button" class="secondary" onClick={reset}>
              Enrol someone else
            </button>
          </p>
        </div>
      )}
      <form class="card" onSubmit={(event) => void submit(event)}>
        <PersonFields
          name={name}
          birthdate={birthdate}
          email={email}
          onName={setName}
          onBirthdate={setBirthdate}
          onEmail={setEmail}
          failure={failure}
          disabled={!!enrolled}
        />
        <PhotoInput label="Photos" multiple onPhotos={add} disabled={!!enrolled || progress !== undefined} />
        {!checks && (
          <p class="hint">
            This key cannot run faces/detect (recognise scope), so photos are checked on submit only.
          </p>
        )}
        {photos.length > 0 && (
          <ul class="photo-list" aria-label="Chosen photos">
            {photos.map((photo, index) => (
              <PhotoCard
                key={photo.id}
                photo={photo}
                label={
                  index === 0 ? 'Photo 1 (enrols the person)' : `Photo ${index + 1} (added to the person)`
                }
                onRemove={
                  enrolled ? undefined : () => setPhotos((list) => list.filter((p) => p.id !== photo.id))
                }
              />
            ))}
          </ul>
        )}
        <UploadProgress fraction={progress} />
        <ErrorMessage failure={failure} />
        <div class="actions">
          <button
            type="submit"
            disabled={!!enrolled || photos.length === 0 || blocked || pending || progress !== undefined}
          >
            {progress !== undefined ? 'Enrolling…' : 'Enrol'}
          </button>
          {blocked && <span class="hint">Remove the photos marked “Refused” first.</span>}
        </div>
      </form>
    </>
  );
}
