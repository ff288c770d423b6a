import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so; selects `fallbackInput` where the clipboard is refused. */
export function CopyButton({
  text,
  label,
  fallbackInput,
}: {
  text: string;
  label: string;
  fallbackInput?: () => HTMLInputElement | null;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      fallbackInput?.()?.select();
      setState('failed');
    }
  };
  return (
    <span class="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" class="copy-status">
        {state === 'copied'
          ? 'Copied'
          : state === 'failed'
            ? 'Copying was refused: the key is selected, press Ctrl+C'
            : ''}
      </span>
    </span>
  );
}
