import { useObjectUrl } from '../lib/hooks.js';
import { worst } from '../lib/quality.js';
import type { Candidate } from './enrol.js';

const BADGES = { ok: 'Good', warn: 'Check', error: 'Refused' } as const;

/** One chosen photo: a thumbnail, what the quality check said, and how its upload went. */
export function PhotoCard({
  photo,
  label,
  onRemove,
}: {
  photo: Candidate;
  label: string;
  onRemove?: () => void;
}) {
  const url = useObjectUrl(photo.file);
  const level = photo.checkFailure ? 'error' : photo.verdicts ? worst(photo.verdicts) : undefined;
  return (
    <li class={`photo-card ${level ? `level-${level}` : ''}`} data-testid="photo-card">
      {url && <img src={url} alt={label} />}
      <div>
        <p class="photo-label">
          {label}
          {level && <span class={`badge badge-${level}`}>{BADGES[level]}</span>}
        </p>
        {photo.verdicts === undefined && <p role="status">Checking the photo…</p>}
        {photo.checkFailure && <p>{photo.checkFailure.message}</p>}
        {photo.verdicts && (
          <ul class="verdicts">
            {photo.verdicts.map((verdict) => (
              <li key={verdict.text} class={`verdict-${verdict.level}`}>
                {verdict.text}
              </li>
            ))}
          </ul>
        )}
        {photo.uploaded === 'ok' && <p class="verdict-ok">Enrolled</p>}
        {photo.uploaded && photo.uploaded !== 'ok' && (
          <p class="verdict-error" role="alert">
            Not enrolled: {photo.uploaded.message}
          </p>
        )}
        {onRemove && (
          <button type="button" class="link" onClick={onRemove}>
            Remove<span class="visually-hidden"> {label}</span>
          </button>
        )}
      </div>
    </li>
  );
}
