import { useEffect, useState } from 'preact/hooks';
import { call } from '../lib/api.js';
import { useObjectUrl } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';

/**
 * A stored face crop. An <img src> cannot send the API key header, so the crop is fetched with
 * the typed client and shown from an object URL (revoked when the thumbnail goes away).
 */
export function FaceThumb({ userId, faceId, alt }: { userId: string; faceId: string; alt: string }) {
  const session = useSession();
  const [blob, setBlob] = useState<Blob>();
  const [missing, setMissing] = useState(false);
  const url = useObjectUrl(blob);
  useEffect(() => {
    let stale = false;
    call(
      session.api.GET('/api/v1/users/{id}/faces/{face_id}/crop', {
        params: { path: { id: userId, face_id: faceId } },
        parseAs: 'blob',
      }),
    )
      .then((crop) => !stale && setBlob(crop))
      .catch(() => !stale && setMissing(true));
    return () => {
      stale = true;
    };
  }, [session.api, userId, faceId]);
  if (missing) return <div class="thumb thumb-empty">No crop</div>;
  return url ? <img class="thumb" src={url} alt={alt} /> : <div class="thumb thumb-empty" aria-busy="true" />;
}
