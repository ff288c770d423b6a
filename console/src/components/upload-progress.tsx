import { percent } from '../lib/format.js';

/**
 * Upload progress, then "processing" while the models run: on a slow link the upload is most of
 * the wait, on a fast one the inference is.
 */
export function UploadProgress({
  fraction,
  label = 'Upload',
}: {
  fraction: number | undefined;
  label?: string;
}) {
  if (fraction === undefined) return null;
  const done = fraction >= 1;
  return (
    <div class="progress" role="status">
      <progress max={1} value={fraction} aria-label={`${label} progress`} />
      <span>{done ? 'Uploaded; processing…' : `Uploading… ${percent(fraction, 0)}`}</span>
    </div>
  );
}
