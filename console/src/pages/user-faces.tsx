import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorMessage } from '../components/error-message.js';
import { PhotoInput } from '../components/photo-input.js';
import { UploadProgress } from '../components/upload-progress.js';
import { call, type Failure, failureOf, type Schemas, toFormData, uploadClient } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { can, useSession } from '../lib/session.js';
import { FaceThumb } from './face-thumb.js';

type User = Schemas['UserDetailDto'];

/** A user's enrolled faces as thumbnails of the stored crops; add one from a photo, remove one. */
export function UserFaces({ user, onChanged }: { user: User; onChanged: () => void }) {
  const session = useSession();
  const [progress, setProgress] = useState<number>();
  const [failure, setFailure] = useState<Failure>();
  const [removing, setRemoving] = useState<string>();
  const [added, setAdded] = useState(false);

  const addFace = async (photo: File) => {
    setFailure(undefined);
    setAdded(false);
    setProgress(0);
    try {
      await call(
        uploadClient(session.key, setProgress).POST('/api/v1/users/{id}/faces', {
          params: { path: { id: user.id } },
          body: { image: photo },
          bodySerializer: toFormData,
        }),
      );
      setAdded(true);
      onChanged();
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setProgress(undefined);
    }
  };

  const removeFace = async (faceId: string) => {
    setRemoving(undefined);
    setFailure(undefined);
    try {
      await call(
        session.api.DELETE('/api/v1/users/{id}/faces/{face_id}', {
          params: { path: { id: user.id, face_id: faceId } },
        }),
      );
      onChanged();
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  return (
    <section class="card" aria-labelledby="faces-title">
      <h2 id="faces-title">Faces ({user.faces.length})</h2>
      {user.faces.length === 0 && <p>No faces: this user cannot be recognised until one is added.</p>}
      <ul class="faces">
        {user.faces.map((face, index) => (
          <li key={face.id} class="face-item" data-testid="face-item">
            <FaceThumb userId={user.id} faceId={face.id} alt={`Face ${index + 1} of ${user.name}`} />
            <p class="hint">
              {dateTime(face.created_at)}
              <br />
              detection {face.detection_score.toFixed(3)}
            </p>
            <button type="button" class="link danger-text" onClick={() => setRemoving(face.id)}>
              Remove<span class="visually-hidden"> face {index + 1}</span>
            </button>
          </li>
        ))}
      </ul>
      {can(session.me, 'enroll') && (
        <>
          <PhotoInput
            label="Add a face"
            onPhotos={([photo]) => photo && void addFace(photo)}
            disabled={progress !== undefined}
          />
          <UploadProgress fraction={progress} />
          {added && <p role="status">Face added.</p>}
        </>
      )}
      <ErrorMessage failure={failure} />
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove this face?"
        confirmLabel="Remove face"
        onConfirm={() => removing && void removeFace(removing)}
        onCancel={() => setRemoving(undefined)}
      >
        <p>The face and its vectors are deleted; {user.name} stays enrolled with the other faces.</p>
      </ConfirmDialog>
    </section>
  );
}
