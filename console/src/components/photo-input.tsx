import { useId, useState } from 'preact/hooks';
import { Webcam } from './webcam.js';

/**
 * Choose photos from files, or take one with the camera. Hands over `File`s; the page decides
 * what to do with them (preview, quality check, upload).
 */
export function PhotoInput({
  label,
  multiple = false,
  onPhotos,
  disabled = false,
}: {
  label: string;
  multiple?: boolean;
  onPhotos: (photos: File[]) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const [camera, setCamera] = useState(false);
  return (
    <div class="field photo-input">
      <label for={id}>{label}</label>
      <div class="actions">
        <input
          id={id}
          type="file"
          accept="image/jpeg,image/png,image/webp,image/gif,image/tiff,image/avif"
          multiple={multiple}
          disabled={disabled}
          onChange={(event) => {
            const files = [...(event.currentTarget.files ?? [])];
            event.currentTarget.value = ''; // choosing the same file again still counts
            if (files.length > 0) onPhotos(files);
          }}
        />
        {!camera && (
          <button type="button" class="secondary" disabled={disabled} onClick={() => setCamera(true)}>
            Use webcam
          </button>
        )}
      </div>
      {camera && (
        <Webcam
          onCapture={(photo) => {
            setCamera(false);
            onPhotos([photo]);
          }}
          onClose={() => setCamera(false)}
        />
      )}
    </div>
  );
}
