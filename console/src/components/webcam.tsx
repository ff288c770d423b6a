import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A live camera preview and a button that takes a still as a JPEG file. The stream stops when a
 * photo is taken or the component goes away, so the camera light does not stay on.
 */
export function Webcam({ onCapture, onClose }: { onCapture: (photo: File) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream>();
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let active: MediaStream | undefined;
    let cancelled = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      setProblem(
        'This browser offers no camera here (the console must be opened over HTTPS or on localhost).',
      );
      return;
    }
    navigator.mediaDevices
      .getUserMedia({
        video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      })
      .then((media) => {
        if (cancelled) return media.getTracks().forEach((track) => track.stop());
        active = media;
        setStream(media);
      })
      .catch((error: unknown) => {
        const name = error instanceof DOMException ? error.name : '';
        setProblem(
          name === 'NotAllowedError'
            ? 'Camera access was refused. Allow it in the browser’s site settings, or upload a photo instead.'
            : name === 'NotFoundError'
              ? 'No camera was found.'
              : `The camera could not be started (${error instanceof Error ? error.message : String(error)}).`,
        );
      });
    return () => {
      cancelled = true;
      active?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  useEffect(() => {
    if (video.current && stream) video.current.srcObject = stream;
  }, [stream]);

  const capture = () => {
    const element = video.current;
    if (!element || element.videoWidth === 0) return;
    const canvas = document.createElement('canvas');
    canvas.width = element.videoWidth;
    canvas.height = element.videoHeight;
    canvas.getContext('2d')?.drawImage(element, 0, 0);
    canvas.toBlob(
      (blob) => {
        if (!blob) return setProblem('The photo could not be taken.');
        onCapture(new File([blob], `webcam-${Date.now()}.jpg`, { type: 'image/jpeg' }));
      },
      'image/jpeg',
      0.92,
    );
  };

  return (
    <div class="webcam">
      {problem ? (
        <p class="notice notice-warn" role="alert">
          {problem}
        </p>
      ) : (
        <video ref={video} autoplay playsInline muted aria-label="Camera preview" />
      )}
      <div class="actions">
        <button type="button" onClick={capture} disabled={!stream}>
          Take photo
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Close camera
        </button>
      </div>
    </div>
  );
}
