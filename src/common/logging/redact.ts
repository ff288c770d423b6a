/**
 * API keys are `frk_live_<8-char prefix>_<43-char secret>`. Any text bound for a log has them
 * masked down to the public prefix, wherever they appear — a header echoed in an error, a key
 * pasted into a URL path, a stack trace — so a log never grants access.
 */
const KEY = /frk_live_([0-9A-Za-z]{8})_[0-9A-Za-z]+/g;

export function redactSecrets(text: string): string {
  return text.replace(KEY, 'frk_live_$1_[redacted]');
}
