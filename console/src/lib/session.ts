import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { call, client, type FaceClient, type Schemas } from './api.js';

export type Scope = Schemas['CurrentApiKeyDto']['scopes'][number];
export type CurrentKey = Schemas['CurrentApiKeyDto'];
export type Models = Schemas['ModelsResponseDto'];

/**
 * The signed-in key, kept for this tab only: sessionStorage dies with the tab, is never sent
 * anywhere by the browser, and never reaches a URL (where proxies and history would keep it).
 */
const STORAGE_KEY = 'face-console.api-key';

export interface Session {
  key: string;
  api: FaceClient;
  me: CurrentKey;
  models: Models;
}

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // Storage disabled: the user signs in again on every load.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was stored.
  }
}

/** Checks the key against the service (throws its 401) and remembers it for the tab. */
export async function openSession(key: string): Promise<Session> {
  const api = client(key);
  const [me, models] = await Promise.all([
    call(api.GET('/api/v1/api-keys/me')),
    call(api.GET('/api/v1/models')),
  ]);
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage disabled: the session lasts until the page is reloaded.
  }
  return { key, api, me, models };
}

/** Whether the key holds a scope; `admin` holds them all, as on the service. */
export function can(me: CurrentKey, scope: Scope): boolean {
  return me.scopes.includes('admin') || me.scopes.includes(scope);
}

export const SessionContext = createContext<Session | null>(null);

/** The session of a signed-in page (pages only render once signed in). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
